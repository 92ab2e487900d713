import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureTopics, event, eventually, startTestStack, type TestStack } from './harness';

/**
 * Every class of bad input the collector can meet, one test per row of docs/bad-input.md,
 * against the real local stack. Envelope-level problems answer a contract error
 * `{"error": {"code", "message"}}` with a 4xx; per-event problems answer 202 and reject (or
 * drop) only the events concerned.
 */

const ALLOWED = 'https://allowed.example';
const OTHER = 'https://evil.example';
const SITES = {
  sites: [
    { id: 'dev', name: 'Development site', writeKey: 'wk_dev' },
    { id: 'locked', name: 'Locked site', writeKey: 'wk_locked', allowedOrigins: [ALLOWED] },
    { id: 'consent', name: 'Consent site', writeKey: 'wk_consent', consentRequired: true },
    // As an admin might type them: a trailing slash and upper case, which a browser's Origin never has.
    {
      id: 'typed',
      name: 'Typed origins',
      writeKey: 'wk_typed',
      allowedOrigins: ['https://typed.example/', 'https://Upper.Example'],
    },
  ],
};
const DAY = 86_400_000;
/** A browser's agent: with an Origin header the request's own agent is checked for bots (Node's "node" is one). */
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

let stack: TestStack;

async function send(
  path: string,
  init: { method?: string; body?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await fetch(`${stack.baseUrl}${path}`, {
    method: init.method ?? 'POST',
    body: init.body as BodyInit,
    headers: init.headers,
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text, the shape assertions will say so
  }
  return { status: res.status, headers: res.headers, body };
}

const JSON_TYPE = { 'content-type': 'application/json' };
const collect = (envelope: unknown, headers: Record<string, string> = JSON_TYPE) =>
  send('/v1/collect', { body: JSON.stringify(envelope), headers });
const collectEvents = (batch: unknown[], writeKey = 'wk_dev', headers: Record<string, string> = JSON_TYPE) =>
  collect({ writeKey, batch }, headers);

/** The contract's error answer: a 4xx, JSON, `{"error": {"code", "message"}}`. */
function expectError(res: Answer, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
  expect(res.body.error.message.length).toBeGreaterThan(0);
  expect(Object.keys(res.body.error).every((k) => ['code', 'message', 'details'].includes(k))).toBe(true);
}

/** A 202 with exactly these rejections (index and code), each in the contract's shape. */
function expectBatch(
  res: Answer,
  accepted: number,
  rejected: { index: number; code: string }[],
  dropped?: Record<string, number>,
) {
  expect(res.status).toBe(202);
  expect(res.body.accepted).toBe(accepted);
  // Named per reason when anything was dropped, absent otherwise.
  expect(res.body.dropped).toEqual(dropped);
  expect(res.body.rejected.map((r: { index: number; code: string }) => ({ index: r.index, code: r.code }))).toEqual(rejected);
  for (const r of res.body.rejected)
    expect(r).toEqual({
      index: expect.any(Number),
      code: expect.any(String),
      message: expect.any(String),
      ...('messageId' in r ? { messageId: r.messageId } : {}),
    });
}

async function account(domain: string) {
  const res = await stack.api(`/v1/accounts/${domain}`, { key: stack.secrets.adminKey });
  expect(res.status).toBe(200);
  return res.body;
}

/** The site's ingestion stats for the last day: accepted, rejected by code, dropped by reason, topic ids ignored. */
async function siteStats(siteId: string): Promise<{
  accepted: number;
  rejected: Record<string, number>;
  dropped: Record<string, number>;
  ignoredTopics: number;
}> {
  const res = await stack.api('/v1/ingestion/stats', { key: stack.secrets.adminKey });
  expect(res.status).toBe(200);
  return res.body.sites[siteId];
}

const identify = (anonymousId: string, email: string, fields: Record<string, unknown> = {}) =>
  event({ type: 'identify', anonymousId, traits: { email }, ...fields });
const track = (name: string, fields: Record<string, unknown> = {}) => event({ type: 'track', event: name, ...fields });

beforeAll(async () => {
  stack = await startTestStack();
  await configureTopics(stack, ['data-warehousing']);
  const put = await stack.api('/v1/config/sites', {
    method: 'PUT',
    key: stack.secrets.adminKey,
    body: JSON.stringify(SITES),
    headers: JSON_TYPE,
  });
  expect(put.status).toBe(200);
  // The collector has its own 5 s config cache: wait until it knows the new write keys. An
  // empty batch is a side-effect-free probe (401 while the key is unknown, then 400).
  for (const writeKey of ['wk_locked', 'wk_consent', 'wk_typed']) {
    await eventually(async () => ((await collectEvents([], writeKey)).status === 400 ? true : undefined), 15_000);
  }
});
afterAll(async () => {
  await stack?.stop().catch(() => undefined);
  stack?.cleanup();
});

describe('POST /v1/collect: the envelope', () => {
  it('answers 400 invalid_json to a body that is not JSON', async () => {
    expectError(
      await send('/v1/collect', { body: '{"writeKey": "wk_dev", "batch": [', headers: JSON_TYPE }),
      400,
      'invalid_json',
    );
  });

  it('answers 400 invalid_json to an empty body', async () => {
    expectError(await send('/v1/collect', { body: '', headers: JSON_TYPE }), 400, 'invalid_json');
  });

  it('answers 400 invalid_request naming "batch" when the envelope has no batch array', async () => {
    const missing = await collect({ writeKey: 'wk_dev' });
    expectError(missing, 400, 'invalid_request');
    expect(missing.body.error.details.map((d: { path: string }) => d.path)).toContain('batch');
    expectError(await collect({ writeKey: 'wk_dev', batch: { type: 'page' } }), 400, 'invalid_request');
    expectError(await collect([event({ type: 'page' })]), 400, 'invalid_request');
  });

  it('answers 400 empty_batch to an empty batch', async () => {
    expectError(await collectEvents([]), 400, 'empty_batch');
  });

  it('answers 415 unsupported_content_type to application/xml', async () => {
    const res = await send('/v1/collect', {
      body: '<batch><event type="page"/></batch>',
      headers: { 'content-type': 'application/xml' },
    });
    expectError(res, 415, 'unsupported_content_type');
    // Even a JSON body is refused under a content type we do not accept.
    expectError(
      await collectEvents([event({ type: 'page' })], 'wk_dev', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'unsupported_content_type',
    );
  });

  it('accepts text/plain, what navigator.sendBeacon sends', async () => {
    const res = await collectEvents([event({ type: 'page' })], 'wk_dev', { 'content-type': 'text/plain;charset=UTF-8' });
    expectBatch(res, 1, []);
  });

  it('answers 413 payload_too_large to a body over 256 KiB, and accepts one just under', async () => {
    const padded = (bytes: number) => [event({ type: 'page', properties: { padding: 'x'.repeat(bytes) } })];
    expectError(await collectEvents(padded(257 * 1024)), 413, 'payload_too_large');
    expectBatch(await collectEvents(padded(255 * 1024)), 1, []);
  });

  it('answers 413 too_many_events to 101 events, and accepts 100', async () => {
    const many = (n: number) => Array.from({ length: n }, () => event({ type: 'page' }));
    expectError(await collectEvents(many(101)), 413, 'too_many_events');
    expectBatch(await collectEvents(many(100)), 100, []);
  });

  it('answers 400 invalid_encoding to a gzip header over a body that is not gzip', async () => {
    const res = await send('/v1/collect', { body: 'not gzip at all', headers: { ...JSON_TYPE, 'content-encoding': 'gzip' } });
    expectError(res, 400, 'invalid_encoding');
  });

  it('answers 413 payload_too_large to a gzip bomb (over 1 MiB once decompressed)', async () => {
    const bomb = gzipSync(Buffer.alloc(2 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(10 * 1024);
    expectError(
      await send('/v1/collect', { body: bomb, headers: { ...JSON_TYPE, 'content-encoding': 'gzip' } }),
      413,
      'payload_too_large',
    );
  });

  it('accepts a gzip body within the limits', async () => {
    const body = gzipSync(JSON.stringify({ writeKey: 'wk_dev', batch: [event({ type: 'page' })] }));
    expectBatch(await send('/v1/collect', { body, headers: { ...JSON_TYPE, 'content-encoding': 'gzip' } }), 1, []);
  });
});

describe('POST /v1/collect: write keys and origins', () => {
  it('answers 401 missing_write_key when no write key is given anywhere', async () => {
    expectError(await collect({ batch: [event({ type: 'page' })] }), 401, 'missing_write_key');
    expectError(await collect({ writeKey: '', batch: [event({ type: 'page' })] }), 401, 'missing_write_key');
  });

  it('answers 401 unknown_write_key to a write key no site has', async () => {
    expectError(await collectEvents([event({ type: 'page' })], 'wk_nobody'), 401, 'unknown_write_key');
    expectError(
      await send('/v1/collect?writeKey=wk_nobody', {
        body: JSON.stringify({ batch: [event({ type: 'page' })] }),
        headers: JSON_TYPE,
      }),
      401,
      'unknown_write_key',
    );
  });

  it('takes the write key from the X-Write-Key header or the query as well', async () => {
    const body = JSON.stringify({ batch: [event({ type: 'page' })] });
    expectBatch(await send('/v1/collect', { body, headers: { ...JSON_TYPE, 'x-write-key': 'wk_dev' } }), 1, []);
    expectBatch(await send('/v1/collect?writeKey=wk_dev', { body, headers: JSON_TYPE }), 1, []);
  });

  it('answers 403 origin_not_allowed to a browser Origin the site does not list', async () => {
    const res = await collectEvents([event({ type: 'page' })], 'wk_locked', { ...JSON_TYPE, origin: OTHER });
    expectError(res, 403, 'origin_not_allowed');
  });

  it('accepts the allowed Origin with CORS headers, and a server-side request (no Origin) by its write key alone', async () => {
    const browser = await collectEvents([event({ type: 'page' })], 'wk_locked', {
      'content-type': 'text/plain',
      origin: ALLOWED,
      'user-agent': CHROME,
    });
    expectBatch(browser, 1, []);
    expect(browser.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expectBatch(await collectEvents([event({ type: 'page' })], 'wk_locked'), 1, []);
  });

  it('answers a CORS preflight from an allowed origin with 204 and access-control-allow-origin', async () => {
    const res = await send('/v1/collect?writeKey=wk_locked', {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/content-type/);
  });

  it('answers a CORS preflight from another origin with 403 and no access-control-allow-origin', async () => {
    const res = await send('/v1/collect?writeKey=wk_locked', {
      method: 'OPTIONS',
      headers: { origin: OTHER, 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  // BUG (functions/collector/handler.ts, OPTIONS route): the 403 is `{ status: 403, text: '' }`,
  // an empty text/plain body, not the contract's error shape. Flip to `it` once fixed.
  it('answers a refused preflight with the contract error body (origin_not_allowed)', async () => {
    const res = await send('/v1/collect?writeKey=wk_locked', {
      method: 'OPTIONS',
      headers: { origin: OTHER, 'access-control-request-method': 'POST' },
    });
    expectError(res, 403, 'origin_not_allowed');
  });

  // BUG (functions/collector/envelope.ts checkOrigin, `allowedOrigins.includes(origin)`; the
  // config schema takes any URL): origins are compared verbatim, so "https://typed.example/"
  // or "https://Upper.Example" (accepted by PUT /v1/config/sites) lock the real site out with
  // 403. Normalise with `new URL(o).origin` on PUT or on compare. Flip to `it` once fixed.
  it('matches an allowed origin configured with a trailing slash or upper case', async () => {
    for (const origin of ['https://typed.example', 'https://upper.example']) {
      const res = await collectEvents([event({ type: 'page' })], 'wk_typed', {
        'content-type': 'text/plain',
        origin,
        'user-agent': CHROME,
      });
      expectBatch(res, 1, []);
    }
  });

  // BUG (functions/collector/handler.ts collectRoute, packages/http handler.ts): an error
  // answer to an allowed browser origin carries no access-control-allow-origin, so the
  // snippet's fetch fails as a CORS error and its rejection path retries a 4xx that will
  // never succeed (up to 3 times). Flip to `it` once fixed.
  it('answers an error to an allowed browser origin with CORS headers, so the snippet can read it', async () => {
    const many = Array.from({ length: 101 }, () => event({ type: 'page' }));
    const res = await collectEvents(many, 'wk_locked', { 'content-type': 'text/plain', origin: ALLOWED, 'user-agent': CHROME });
    expectError(res, 413, 'too_many_events');
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });
});

describe('POST /v1/collect: events rejected one by one', () => {
  it('rejects wrong field types as invalid_event naming the field path, and accepts the neighbours', async () => {
    const res = await collectEvents([
      event({ type: 'page' }),
      track('content_read', {
        messageId: 'wrong-types-1',
        anonymousId: 42,
        properties: { topics: 'warehousing' },
        timestamp: 'yesterday',
      }),
      event({ type: 'page' }),
    ]);
    expectBatch(res, 2, [{ index: 1, code: 'invalid_event' }]);
    const [rejection] = res.body.rejected;
    expect(rejection.messageId).toBe('wrong-types-1');
    expect(rejection.message).toMatch(/anonymousId/);
    expect(rejection.message).toMatch(/properties\.topics/);
    expect(rejection.message).toMatch(/timestamp/);
  });

  it('rejects events that are not objects (null, number, string, array) as invalid_event', async () => {
    const res = await collectEvents([null, 42, 'page', [], event({ type: 'page' })]);
    expectBatch(
      res,
      1,
      [0, 1, 2, 3].map((index) => ({ index, code: 'invalid_event' })),
    );
  });

  it('rejects an unsupported type (screen, alias) as invalid_event naming "type"', async () => {
    const res = await collectEvents([
      event({ type: 'screen' }),
      event({ type: 'alias', previousId: 'x' }),
      event({ type: 'page' }),
    ]);
    expectBatch(res, 1, [
      { index: 0, code: 'invalid_event' },
      { index: 1, code: 'invalid_event' },
    ]);
    expect(res.body.rejected[0].message).toMatch(/type/);
  });

  it('rejects an event with neither anonymousId nor userId as missing_identity', async () => {
    const res = await collectEvents([
      event({ type: 'page', anonymousId: undefined }),
      event({ type: 'page', anonymousId: undefined, userId: 'u-1' }),
    ]);
    expectBatch(res, 1, [{ index: 0, code: 'missing_identity' }]);
  });

  it('rejects a track whose name is neither built in nor mapped as unknown_event', async () => {
    const res = await collectEvents([track('Newsletter Opened'), track('pricing_view')]);
    expectBatch(res, 1, [{ index: 0, code: 'unknown_event' }]);
    expect(res.body.rejected[0].message).toMatch(/Newsletter Opened/);
  });

  // BUG (packages/events/src/normalize.ts, signalOf: `signals.eventMap[name] ?? 'unknown'`):
  // the lookup walks Object.prototype, so "constructor", "toString", ... are accepted with no
  // signal (silently never counted) and "__proto__" is accepted with `signal: {}`, which the
  // rollup consumer cannot parse: retried, then dead-lettered. Flip to `it` once fixed.
  it('rejects track names that are Object.prototype members (__proto__, constructor) as unknown_event', async () => {
    const res = await collectEvents([track('__proto__'), track('constructor'), track('toString'), track('pricing_view')]);
    expectBatch(
      res,
      1,
      [0, 1, 2].map((index) => ({ index, code: 'unknown_event' })),
    );
  });

  it('rejects a timestamp more than 24 h in the future as timestamp_out_of_range, and accepts 23 h ahead', async () => {
    const res = await collectEvents([
      event({ type: 'page', timestamp: iso(25 * 3_600_000) }),
      event({ type: 'page', timestamp: iso(23 * 3_600_000) }),
    ]);
    expectBatch(res, 1, [{ index: 0, code: 'timestamp_out_of_range' }]);
  });

  it('rejects a timestamp more than 90 days in the past as timestamp_out_of_range, and accepts 89 days back', async () => {
    const res = await collectEvents([
      event({ type: 'page', timestamp: iso(-91 * DAY) }),
      event({ type: 'page', timestamp: iso(-89 * DAY) }),
    ]);
    expectBatch(res, 1, [{ index: 0, code: 'timestamp_out_of_range' }]);
  });

  it('accepts a client clock 3 days fast once corrected by sentAt (per event or per envelope)', async () => {
    const skewed = iso(3 * DAY);
    const perEvent = await collectEvents([
      event({ type: 'page', timestamp: skewed, sentAt: skewed }),
      event({ type: 'page', timestamp: skewed }),
    ]);
    // Without sentAt the same clock is out of range: the correction is what saves the first one.
    expectBatch(perEvent, 1, [{ index: 1, code: 'timestamp_out_of_range' }]);
    expectBatch(
      await collect({ writeKey: 'wk_dev', sentAt: skewed, batch: [event({ type: 'page', timestamp: skewed })] }),
      1,
      [],
    );
  });

  // Found by these tests: a timestamp beyond Date's range (|ms| > 8.64e15), or a sentAt
  // correction that pushes one beyond it, used to throw in toISOString() and answer 500.
  it('rejects a timestamp outside the Date range, or corrected out of it, as an event: never a 500', async () => {
    const res = await collectEvents([
      event({ type: 'page', timestamp: 1e16 }),
      event({ type: 'page', timestamp: 8.64e15, sentAt: 0 }),
      event({ type: 'page', timestamp: -8.64e15, sentAt: 8.64e15 }),
      event({ type: 'page' }),
    ]);
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(1);
    expect(res.body.rejected.map((r: { index: number }) => r.index)).toEqual([0, 1, 2]);
    for (const r of res.body.rejected) expect(['invalid_event', 'timestamp_out_of_range']).toContain(r.code);
  });

  it('rejects a repeated messageId within one batch as duplicate_message_id, keeping the first', async () => {
    const first = event({ type: 'page' });
    const res = await collectEvents([first, event({ type: 'page' }), { ...first }]);
    expectBatch(res, 2, [{ index: 2, code: 'duplicate_message_id' }]);
    expect(res.body.rejected[0].messageId).toBe(first.messageId);
  });

  it('accepts a batch sent again (messageIds seen before) at the edge, but counts its events once', async () => {
    const batch = [
      identify('v-dup', 'kim@dup-across.example'),
      track('content_read', { anonymousId: 'v-dup', properties: { topics: ['data-warehousing'] } }),
      track('pricing_view', { anonymousId: 'v-dup' }),
    ];
    expectBatch(await collectEvents(batch), 3, []);
    await stack.drain();
    const first = await account('dup-across.example');
    expect(first.intent.score).toBeGreaterThan(0);
    expectBatch(await collectEvents(batch.slice(1)), 2, []);
    await stack.drain();
    const second = await account('dup-across.example');
    expect(second.intent).toEqual(first.intent);
    expect(second.intent.topics.find((t: { topic: string }) => t.topic === 'data-warehousing')).toMatchObject({ reads: 1 });
  });
});

describe('POST /v1/collect: events accepted and dropped', () => {
  it('accepts an event declaring unconfigured or over-long topic ids, counting only configured topics and the rest as ignoredTopics', async () => {
    await stack.drain();
    const before = await siteStats('dev');
    const topics = ['Data-Warehousing', 'not-configured', 'x'.repeat(300)];
    const res = await collectEvents([
      identify('v-topics', 'ida@ignored-topics.example'),
      track('content_read', { anonymousId: 'v-topics', properties: { topics } }),
    ]);
    expectBatch(res, 2, []);
    await stack.drain();
    const view = await account('ignored-topics.example');
    expect(view.intent.topics.map((t: { topic: string }) => t.topic)).toEqual(['data-warehousing']);
    const after = await siteStats('dev');
    expect(after.accepted - before.accepted).toBe(2);
    expect(after.ignoredTopics - before.ignoredTopics).toBe(2);
  });

  it('drops an event from a bot user agent: not in accepted, not rejected, named in the answer as dropped.bot, never scored, counted as bot', async () => {
    await stack.drain();
    const before = (await siteStats('dev')).dropped.bot ?? 0;
    const res = await collectEvents([
      identify('v-bot', 'ana@bot-drop.example'),
      track('pricing_view', {
        anonymousId: 'v-bot',
        context: { userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
      }),
    ]);
    expectBatch(res, 1, [], { bot: 1 });
    // A browser request's own agent counts too (a server-side forwarder's, without Origin, does not).
    const header = await collectEvents([track('demo_request', { anonymousId: 'v-bot' })], 'wk_dev', {
      'content-type': 'text/plain',
      origin: 'https://dev.example',
      'user-agent': 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    });
    expectBatch(header, 0, [], { bot: 1 });
    await stack.drain();
    const seen = await account('bot-drop.example');
    expect(seen.intent.stage).not.toBe('hand_raiser');
    expect(seen.intent.score).toBe(0);
    expect(((await siteStats('dev')).dropped.bot ?? 0) - before).toBe(2);
  });

  it('drops an event without consent where the site requires it (named in the answer and counted as consent), and scores one with consent', async () => {
    const res = await collectEvents(
      [
        identify('v-consent', 'ola@consent-drop.example', { context: { consent: 'granted' } }),
        track('pricing_view', { anonymousId: 'v-consent' }),
        track('demo_request', { anonymousId: 'v-consent', context: { consent: 'denied' } }),
      ],
      'wk_consent',
    );
    expectBatch(res, 1, [], { consent: 2 });
    await stack.drain();
    expect((await account('consent-drop.example')).intent.score).toBe(0);
    // Dropped, but counted: the ingestion stats show both (only this test uses the consent site).
    expect((await siteStats('consent')).dropped).toEqual({ consent: 2 });
    expectBatch(
      await collectEvents([track('pricing_view', { anonymousId: 'v-consent', context: { consent: 'granted' } })], 'wk_consent'),
      1,
      [],
    );
    await stack.drain();
    expect((await account('consent-drop.example')).intent.stage).toBe('hand_raiser');
  });
});

describe('Segment-compatible paths: the SDKs cannot act on per-event answers', () => {
  const basic = (writeKey: string) => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
  const batchPath = (batch: unknown[], headers: Record<string, string> = { ...JSON_TYPE, authorization: basic('wk_dev') }) =>
    send('/v1/batch', { body: JSON.stringify({ batch }), headers });

  it('answers 200 {"success": true} to a batch whose events are bad or unmapped, and counts them as dropped', async () => {
    await stack.drain();
    const before = (await siteStats('dev')).dropped;
    const res = await batchPath([
      null,
      track('Newsletter Opened'),
      event({ type: 'page', timestamp: iso(-200 * DAY) }),
      event({ type: 'screen' }),
      event({ type: 'page' }),
    ]);
    expect(res).toMatchObject({ status: 200, body: { success: true } });
    await stack.drain();
    const after = (await siteStats('dev')).dropped;
    expect((after.unmapped ?? 0) - (before.unmapped ?? 0)).toBe(1);
    expect((after.invalid ?? 0) - (before.invalid ?? 0)).toBe(3);
  });

  it('ignores unconfigured topic ids as /v1/collect does: the event counts, the ids are counted as ignoredTopics', async () => {
    await stack.drain();
    const before = await siteStats('dev');
    const res = await batchPath([
      event({ type: 'page', properties: { topics: ['data-warehousing', 'not-configured', 'neither'] } }),
    ]);
    expect(res).toMatchObject({ status: 200, body: { success: true } });
    await stack.drain();
    const after = await siteStats('dev');
    expect(after.accepted - before.accepted).toBe(1);
    expect(after.ignoredTopics - before.ignoredTopics).toBe(2);
    expect(after.dropped).toEqual(before.dropped);
  });

  it('answers 400 invalid_json (which the SDKs do not retry) to a body that is not JSON', async () => {
    expectError(
      await send('/v1/batch', { body: '{"batch": [', headers: { ...JSON_TYPE, authorization: basic('wk_dev') } }),
      400,
      'invalid_json',
    );
  });

  it('answers 401 to a missing or unknown write key', async () => {
    expectError(await batchPath([event({ type: 'page' })], JSON_TYPE), 401, 'missing_write_key');
    expectError(
      await batchPath([event({ type: 'page' })], { ...JSON_TYPE, authorization: basic('wk_nobody') }),
      401,
      'unknown_write_key',
    );
  });

  it('answers 413 payload_too_large to a body over 500 KiB', async () => {
    expectError(
      await batchPath([event({ type: 'page', properties: { padding: 'x'.repeat(501 * 1024) } })]),
      413,
      'payload_too_large',
    );
  });

  it('answers 200 (drops the event) to a timestamp outside the Date range, never a retry-inducing 500', async () => {
    const res = await batchPath([
      event({ type: 'track', event: 'pricing_view', timestamp: 1e16 }),
      event({ type: 'page', timestamp: 8.64e15, sentAt: 0 }),
    ]);
    expect(res).toMatchObject({ status: 200, body: { success: true } });
  });
});

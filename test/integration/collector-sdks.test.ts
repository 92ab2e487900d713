import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { DEFAULT_COLLECTOR_CONCURRENCY } from '@intent/resources';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureTopics, event, eventually, startTestStack, type TestStack } from './harness';

/**
 * The real server-side SDKs, pointed at the local stack by changing only the host, through a
 * small recording proxy so each test can say what the SDK sent and what we answered.
 */

interface Exchange {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The request body as JSON, un-gzipped when it came gzip-encoded. */
  body: any;
  status: number;
}

/** Forwards every request to `target` unchanged and records it with our answer. */
async function recordingProxy(target: string): Promise<{ url: string; exchanges: Exchange[]; close(): Promise<void> }> {
  const exchanges: Exchange[] = [];
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const forward = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const out: Buffer[] = [];
          answer.on('data', (c: Buffer) => out.push(c));
          answer.on('end', () => {
            let body: unknown;
            try {
              body = JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'));
            } catch {
              body = raw.toString('utf8');
            }
            exchanges.push({
              method: req.method ?? '',
              path: req.url ?? '',
              headers: req.headers,
              body,
              status: answer.statusCode ?? 0,
            });
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(out));
          });
        },
      );
      forward.on('error', () => res.writeHead(502).end());
      forward.end(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let stack: TestStack;
let proxy: Awaited<ReturnType<typeof recordingProxy>>;

async function account(domain: string) {
  const res = await stack.api(`/v1/accounts/${domain}`, { key: stack.secrets.adminKey });
  expect(res.status).toBe(200);
  return res.body;
}

/**
 * The account's intent has moved: a hand-raiser with a positive score and the topic read. The
 * SDK's two requests may be rolled up by two batches; the score is looked at until the later
 * batch's re-score is saved (10 s at most).
 */
async function expectIntentMoved(domain: string) {
  const moved = (view: any) =>
    view.intent.stage === 'hand_raiser' && view.intent.topics.some((t: { topic: string }) => t.topic === 'data-warehousing');
  const view = await eventually(async () => {
    const v = await account(domain);
    return moved(v) ? v : undefined;
  }).catch(() => account(domain));
  expect(view.intent.stage).toBe('hand_raiser');
  expect(view.intent.score).toBeGreaterThan(0);
  expect(view.intent.topics.map((t: { topic: string }) => t.topic)).toContain('data-warehousing');
}

/** Events dropped on the dev site by reason, from the ingestion stats of the last day. */
async function droppedOnDevSite(): Promise<Record<string, number>> {
  const res = await stack.api('/v1/ingestion/stats', { key: stack.secrets.adminKey });
  expect(res.status).toBe(200);
  return res.body.sites.dev.dropped;
}

const basicAuth = (writeKey: string) => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;

beforeAll(async () => {
  stack = await startTestStack();
  proxy = await recordingProxy(stack.baseUrl);
  await configureTopics(stack, ['data-warehousing', 'ml-ops']);
  const put = await stack.api('/v1/config/signals', {
    method: 'PUT',
    key: stack.secrets.adminKey,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ eventMap: { 'Demo Requested': 'demo_request' } }),
  });
  expect(put.status).toBe(200);
  // The collector keeps its own config for up to 5 s: wait until it maps the custom name (the
  // probe is an anonymous visitor who never identifies, so it moves no account).
  await eventually(async () => {
    const res = await stack.collect([event({ type: 'track', event: 'Demo Requested', anonymousId: 'config-probe' })]);
    return res.status === 202 && res.body.accepted === 1 ? true : undefined;
  }, 15_000);
});
afterAll(async () => {
  await proxy?.close();
  await stack?.stop().catch(() => undefined);
  stack?.cleanup();
});

describe('@segment/analytics-node (host option) against the local stack', () => {
  const userId = 'segment-user-1';
  const domain = 'segment-sdk.example';
  let analytics: SegmentAnalytics;
  const sent = () => proxy.exchanges.filter((x) => x.headers['user-agent']?.startsWith('analytics-node-next'));

  beforeAll(() => {
    analytics = new SegmentAnalytics({
      writeKey: 'wk_dev',
      host: proxy.url,
      path: '/v1/batch',
      flushAt: 1,
      flushInterval: 100,
      maxRetries: 1,
    });
  });
  afterAll(async () => {
    await analytics?.closeAndFlush({ timeout: 5_000 });
  });

  it('identifies a user, then moves the account with a mapped custom track and a userId-only track', async () => {
    analytics.identify({ userId, traits: { email: 'pat@segment-sdk.example', name: 'Pat' } });
    await analytics.flush();
    await stack.drain();
    analytics.track({ userId, event: 'Demo Requested', properties: { url: 'https://media.example/demo' } });
    analytics.track({ userId, event: 'content_read', properties: { topics: ['data-warehousing'], title: 'Warehouses' } });
    await analytics.flush();
    await stack.drain();

    const exchanges = sent();
    expect(exchanges.length).toBeGreaterThanOrEqual(2);
    for (const x of exchanges) {
      expect(x).toMatchObject({ method: 'POST', path: '/v1/batch', status: 200 });
      expect(x.headers.authorization).toBe(basicAuth('wk_dev'));
    }
    const tracks = exchanges.flatMap((x) => x.body.batch).filter((e: { type: string }) => e.type === 'track');
    expect(
      tracks.every((e: { userId?: string; anonymousId?: string }) => e.userId === userId && e.anonymousId === undefined),
    ).toBe(true);
    await expectIntentMoved(domain);
  });

  it('gets 200 for an unmapped event name (never a retry-inducing status); it is not scored, only counted as dropped', async () => {
    const before = await account(domain);
    const droppedBefore = (await droppedOnDevSite()).unmapped ?? 0;
    const seen = sent().length;
    analytics.track({ userId, event: 'Newsletter Opened', properties: { topics: ['ml-ops'] } });
    await analytics.flush();
    await stack.drain();
    const [exchange] = sent().slice(seen);
    expect(exchange?.status).toBe(200);
    expect(exchange?.body.batch.map((e: { event: string }) => e.event)).toEqual(['Newsletter Opened']);
    expect((await account(domain)).intent).toEqual(before.intent);
    expect(((await droppedOnDevSite()).unmapped ?? 0) - droppedBefore).toBe(1);
  });
});

describe('@rudderstack/rudder-sdk-node (dataPlaneUrl option) against the local stack', () => {
  const userId = 'rudder-user-1';
  const domain = 'rudder-sdk.example';
  let client: RudderAnalytics;
  const sent = () => proxy.exchanges.filter((x) => x.headers['user-agent']?.startsWith('analytics-node/'));

  /**
   * Resolves once the SDK reports the call delivered. Its flush() is no barrier: with several
   * flushes in flight it can resolve before the last batch is posted.
   */
  const delivered = (call: (done: (err?: unknown) => void) => void) =>
    new Promise<void>((resolve, reject) => call((err) => (err ? reject(err) : resolve())));

  beforeAll(() => {
    client = new RudderAnalytics('wk_dev', {
      dataPlaneUrl: proxy.url,
      flushAt: 1,
      flushInterval: 100,
      retryCount: 1,
      logLevel: 'error',
    });
  });

  it('identifies a user, then moves the account with a mapped custom track and a userId-only track (gzip bodies)', async () => {
    await delivered((done) => client.identify({ userId, traits: { email: 'lee@rudder-sdk.example', name: 'Lee' } }, done));
    await stack.drain();
    await Promise.all([
      delivered((done) =>
        client.track({ userId, event: 'Demo Requested', properties: { url: 'https://media.example/demo' } }, done),
      ),
      delivered((done) => client.track({ userId, event: 'content_read', properties: { topics: ['data-warehousing'] } }, done)),
    ]);
    await stack.drain();

    const exchanges = sent();
    expect(exchanges.length).toBeGreaterThanOrEqual(2);
    for (const x of exchanges) {
      expect(x).toMatchObject({ method: 'POST', path: '/v1/batch', status: 200 });
      expect(x.headers.authorization).toBe(basicAuth('wk_dev'));
      expect(x.headers['content-encoding']).toBe('gzip');
    }
    // RudderStack's own shape: originalTimestamp instead of timestamp, plus fields we ignore.
    const events = exchanges.flatMap((x) => x.body.batch);
    expect(
      events.every((e: Record<string, unknown>) => e.originalTimestamp && !e.timestamp && e.channel === 'server' && e._metadata),
    ).toBe(true);
    await expectIntentMoved(domain);
  });

  it('gets 200 for an unmapped event name (never a retry-inducing status); it is not scored, only counted as dropped', async () => {
    const before = await account(domain);
    const droppedBefore = (await droppedOnDevSite()).unmapped ?? 0;
    const seen = sent().length;
    await delivered((done) => client.track({ userId, event: 'Newsletter Opened', properties: { topics: ['ml-ops'] } }, done));
    await stack.drain();
    const [exchange] = sent().slice(seen);
    expect(exchange?.status).toBe(200);
    expect(exchange?.body.batch.map((e: { event: string }) => e.event)).toEqual(['Newsletter Opened']);
    expect((await account(domain)).intent).toEqual(before.intent);
    expect(((await droppedOnDevSite()).unmapped ?? 0) - droppedBefore).toBe(1);
  });
});

describe('both SDKs wait out a 429 rate_limited and deliver', () => {
  /**
   * At the start of a rate-limit window, spends this address's budget on the dev site, so that
   * the SDK's next post is refused: the collector's own share of the window (the address limit
   * over the collector's instances, 200 / 50 = 4 events by default), then the shared window's
   * 200 events.
   */
  async function exhaustAddressBudget() {
    await new Promise((r) => setTimeout(r, 2_000 - (Date.now() % 2_000) + 20));
    for (const size of [200 / DEFAULT_COLLECTOR_CONCURRENCY, 100, 100]) {
      const batch = Array.from({ length: size }, () => event({ type: 'page', anonymousId: 'flood' }));
      const res = await stack.api('/v1/collect', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ writeKey: 'wk_dev', batch }),
      });
      expect(res.status).toBe(202);
    }
  }
  const statuses = (agent: string, from: number) =>
    proxy.exchanges
      .slice(from)
      .filter((x) => x.headers['user-agent']?.startsWith(agent))
      .map((x) => x.status);

  it('@segment/analytics-node retries after Retry-After and the hand-raise arrives', async () => {
    const analytics = new SegmentAnalytics({ writeKey: 'wk_dev', host: proxy.url, path: '/v1/batch', flushAt: 2, maxRetries: 3 });
    const from = proxy.exchanges.length;
    await exhaustAddressBudget();
    analytics.identify({ userId: 'segment-limited', traits: { email: 'kim@segment-limited.example' } });
    analytics.track({ userId: 'segment-limited', event: 'demo_request' });
    await analytics.closeAndFlush({ timeout: 15_000 });
    expect(statuses('analytics-node-next', from)).toEqual([429, 200]);
    await stack.drain();
    expect((await account('segment-limited.example')).intent.stage).toBe('hand_raiser');
  });

  it('@rudderstack/rudder-sdk-node retries with backoff and the hand-raise arrives', async () => {
    const client = new RudderAnalytics('wk_dev', { dataPlaneUrl: proxy.url, flushAt: 1, retryCount: 5, logLevel: 'error' });
    const from = proxy.exchanges.length;
    await exhaustAddressBudget();
    const delivered = (call: (done: (err?: unknown) => void) => void) =>
      new Promise<void>((resolve, reject) => call((err) => (err ? reject(err) : resolve())));
    await delivered((done) =>
      client.identify({ userId: 'rudder-limited', traits: { email: 'jo@rudder-limited.example' } }, done),
    );
    const seen = statuses('analytics-node/', from);
    expect(seen[0]).toBe(429);
    expect(seen.at(-1)).toBe(200);
    await stack.drain();
    await delivered((done) => client.track({ userId: 'rudder-limited', event: 'demo_request' }, done));
    await stack.drain();
    expect((await account('rudder-limited.example')).intent.stage).toBe('hand_raiser');
  });
});

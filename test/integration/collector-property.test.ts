import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, httpEvent } from '../handlers/events';
import { startTestStack, type TestStack } from './harness';

/**
 * The collector handler module itself, invoked with API Gateway v2 events against the real
 * local stack (dynalite + fauxqs, no mocks): valid batches with random mutations, checked
 * against a model of what each event must become (accepted, dropped, or rejected with a code).
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BUILT_IN = ['content_read', 'content_download', 'webinar_registration', 'pricing_view', 'demo_request'] as const;
const BROWSERS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0',
];
const BOTS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'curl/8.4.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36',
];
/**
 * Track names that look up Object.prototype in signals.eventMap and are wrongly accepted
 * (see collector-bad-input.test.ts, the it.fails cases): kept out of the generator until fixed.
 */
const KNOWN_BUG_NAMES = new Set([
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

type Path = string[];
type Expected = 'accepted' | 'dropped' | 'invalid_event' | 'missing_identity' | 'unknown_event' | 'timestamp_out_of_range';

type Mutation =
  | { kind: 'drop'; field: 'type' | 'messageId' | 'identity' | 'event' }
  | { kind: 'wrongType'; path: Path; value: unknown }
  | { kind: 'unknownEvent'; name: string }
  | { kind: 'hugeString'; path: Path; length: number; limited: boolean }
  | { kind: 'null'; path: Path }
  | { kind: 'garbage'; path: Path; value: unknown; validated: boolean }
  | { kind: 'farTimestamp'; offsetMs: number; asNumber: boolean }
  | { kind: 'bot'; userAgent: string }
  | { kind: 'duplicate'; of: number };

interface Spec {
  type: 'page' | 'track' | 'identify' | 'group';
  name: (typeof BUILT_IN)[number];
  anonymousId: string;
  userId?: string | number;
  tsOffsetMs?: number;
  tsAsNumber: boolean;
  userAgent?: string;
  consent?: unknown;
  topics: string[];
  domain: string;
  mutation?: Mutation;
}

type EnvelopeMutation =
  | { kind: 'none' | 'textPlain' | 'headerKey' | 'queryKey' | 'basicKey' | 'gzip' }
  | { kind: 'skew'; ms: number }
  | { kind: 'missingKey' | 'unknownKey' | 'xml' | 'truncate' | 'batchNotArray' };

const ENVELOPE_ERRORS: Record<string, { status: number; code: string }> = {
  missingKey: { status: 401, code: 'missing_write_key' },
  unknownKey: { status: 401, code: 'unknown_write_key' },
  xml: { status: 415, code: 'unsupported_content_type' },
  truncate: { status: 400, code: 'invalid_json' },
  batchNotArray: { status: 400, code: 'invalid_request' },
};

// Each (path, value) breaks the event schema whatever the event's type.
const WRONG_TYPES: [Path, unknown][] = [
  [['type'], 42],
  [['type'], 'screen'],
  [['messageId'], 42],
  [['messageId'], ''],
  [['messageId'], {}],
  [['anonymousId'], 42],
  [['anonymousId'], ''],
  [['anonymousId'], []],
  [['userId'], true],
  [['userId'], ''],
  [['timestamp'], true],
  [['timestamp'], 'not a date'],
  [['timestamp'], {}],
  [['sentAt'], 'yesterday'],
  [['event'], 5],
  [['event'], ''],
  [['properties'], 'x'],
  [['properties'], []],
  [['properties', 'topics'], 'x'],
  [['properties', 'topics'], [1]],
  [['properties', 'url'], 5],
  [['traits'], 'x'],
  [['traits'], []],
  [['traits', 'email'], 5],
  [['traits', 'company'], true],
  [['context'], 'x'],
  [['context'], 7],
  [['context', 'page'], 'x'],
  [['context', 'userAgent'], 5],
  [['context', 'consent'], 'yes'],
  [['context', 'consent'], []],
  [['groupId'], true],
];
// Fields with a length limit, and the limit.
const LIMITED: [Path, number][] = [
  [['messageId'], 128],
  [['anonymousId'], 128],
  [['userId'], 256],
  [['event'], 200],
  [['name'], 512],
  [['properties', 'url'], 4096],
  [['properties', 'title'], 1024],
  [['traits', 'email'], 320],
  [['traits', 'domain'], 256],
  [['context', 'userAgent'], 2048],
  [['context', 'ip'], 64],
  [['context', 'page', 'url'], 4096],
];
const SCHEMA_FIELDS: Path[] = [
  ['type'],
  ['messageId'],
  ['anonymousId'],
  ['userId'],
  ['timestamp'],
  ['event'],
  ['properties'],
  ['traits'],
  ['context'],
  ['groupId'],
  ['sentAt'],
  ['name'],
];
const FREE_PATHS: Path[] = [
  ['properties', 'extra'],
  ['context', 'campaign'],
  ['integrations'],
  ['_metadata'],
  ['traits', 'plan'],
];
const VALIDATED_OBJECTS: Path[] = [['properties'], ['traits'], ['context'], ['context', 'page'], ['properties', 'topics']];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('drop' as const),
    field: fc.constantFrom('type' as const, 'messageId' as const, 'identity' as const, 'event' as const),
  }),
  fc.constantFrom(...WRONG_TYPES).map(([path, value]) => ({ kind: 'wrongType' as const, path, value })),
  fc
    .string({ minLength: 1, maxLength: 60 })
    .filter((s) => !(BUILT_IN as readonly string[]).includes(s) && !KNOWN_BUG_NAMES.has(s))
    .map((name) => ({ kind: 'unknownEvent' as const, name })),
  fc
    .tuple(fc.constantFrom(...LIMITED), fc.integer({ min: 1, max: 2000 }))
    .map(([[path, max], extra]) => ({ kind: 'hugeString' as const, path, length: max + extra, limited: true })),
  fc
    .tuple(fc.constantFrom(...FREE_PATHS), fc.integer({ min: 4000, max: 8000 }))
    .map(([path, length]) => ({ kind: 'hugeString' as const, path, length, limited: false })),
  fc.constantFrom(...SCHEMA_FIELDS).map((path) => ({ kind: 'null' as const, path })),
  fc
    .tuple(fc.constantFrom(...FREE_PATHS), fc.jsonValue({ maxDepth: 6 }))
    .map(([path, value]) => ({ kind: 'garbage' as const, path, value, validated: false })),
  fc
    .tuple(fc.constantFrom(...VALIDATED_OBJECTS), fc.jsonValue({ maxDepth: 4 }))
    .map(([path, v]) => ({ kind: 'garbage' as const, path, value: [[v]], validated: true })),
  fc.record({
    kind: fc.constant('farTimestamp' as const),
    offsetMs: fc.oneof(fc.integer({ min: 2 * DAY, max: 3650 * DAY }), fc.integer({ min: -3650 * DAY, max: -91 * DAY })),
    asNumber: fc.boolean(),
  }),
  fc.constantFrom(...BOTS).map((userAgent) => ({ kind: 'bot' as const, userAgent })),
  fc.nat(19).map((of) => ({ kind: 'duplicate' as const, of })),
);

const spec: fc.Arbitrary<Spec> = fc.record(
  {
    type: fc.constantFrom('page' as const, 'track' as const, 'identify' as const, 'group' as const),
    name: fc.constantFrom(...BUILT_IN),
    anonymousId: fc.string({ minLength: 1, maxLength: 36 }),
    userId: fc.oneof(fc.string({ minLength: 1, maxLength: 36 }), fc.integer()),
    tsOffsetMs: fc.integer({ min: -80 * DAY, max: 20 * HOUR }),
    tsAsNumber: fc.boolean(),
    userAgent: fc.constantFrom(...BROWSERS),
    consent: fc.constantFrom('granted', 'denied', 'unknown', true, false, { categoryPreferences: { analytics: true } }),
    topics: fc.array(fc.constantFrom('data-warehousing', 'ml-ops', 'Security', 'not a topic!'), { maxLength: 3 }),
    domain: fc.constantFrom('prop-a.example', 'prop-b.example', 'gmail.com'),
    mutation: fc.option(mutation, { freq: 2, nil: undefined }),
  },
  { requiredKeys: ['type', 'name', 'anonymousId', 'tsAsNumber', 'topics', 'domain'] },
);

const envelopeMutation: fc.Arbitrary<EnvelopeMutation> = fc.oneof(
  { weight: 10, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      ...(['textPlain', 'headerKey', 'queryKey', 'basicKey', 'gzip'] as const).map((kind) => ({ kind })),
    ),
  },
  { weight: 2, arbitrary: fc.integer({ min: -30 * DAY, max: 30 * DAY }).map((ms) => ({ kind: 'skew' as const, ms })) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      ...(['missingKey', 'unknownKey', 'xml', 'truncate', 'batchNotArray'] as const).map((kind) => ({ kind })),
    ),
  },
);

function setPath(target: Record<string, unknown>, path: Path, value: unknown) {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!node[key] || typeof node[key] !== 'object' || Array.isArray(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

let run = 0;

/** The event as a client would send it (its clock `clientNow`), and what must become of it. */
function build(s: Spec, i: number, ids: string[], clientNow: number): { event: Record<string, unknown>; expected: Expected } {
  const stamp = (offset: number, asNumber: boolean) =>
    asNumber ? clientNow + offset : new Date(clientNow + offset).toISOString();
  const e: Record<string, unknown> = { type: s.type, messageId: ids[i], anonymousId: s.anonymousId };
  if (s.userId !== undefined) e.userId = s.userId;
  if (s.tsOffsetMs !== undefined) e.timestamp = stamp(s.tsOffsetMs, s.tsAsNumber);
  if (s.type === 'track') e.event = s.name;
  if (s.type === 'page' || s.type === 'track')
    e.properties = { url: `https://media.example/articles/${i}?utm=x`, title: 'An article', topics: s.topics };
  if (s.type === 'identify') e.traits = { email: `reader${i}@${s.domain}`, company: { name: 'Acme' } };
  if (s.type === 'group') Object.assign(e, { groupId: `g-${i}`, traits: { domain: s.domain, name: 'Acme' } });
  e.context = {
    ...(s.userAgent ? { userAgent: s.userAgent } : {}),
    ...(s.consent !== undefined ? { consent: s.consent } : {}),
    library: { name: 'property-test' },
  };

  const m = s.mutation;
  if (!m) return { event: e, expected: 'accepted' };
  switch (m.kind) {
    case 'drop':
      if (m.field === 'identity') {
        delete e.anonymousId;
        delete e.userId;
        return { event: e, expected: 'missing_identity' };
      }
      if (m.field === 'event') {
        delete e.event;
        return { event: e, expected: s.type === 'track' ? 'unknown_event' : 'accepted' };
      }
      delete e[m.field];
      return { event: e, expected: 'invalid_event' };
    case 'wrongType':
      setPath(e, m.path, m.value);
      return { event: e, expected: 'invalid_event' };
    case 'unknownEvent':
      Object.assign(e, { type: 'track', event: m.name });
      return { event: e, expected: 'unknown_event' };
    case 'hugeString':
      setPath(e, m.path, 'x'.repeat(m.length));
      return { event: e, expected: m.limited ? 'invalid_event' : 'accepted' };
    case 'null':
      setPath(e, m.path, null);
      return { event: e, expected: 'invalid_event' };
    case 'garbage':
      setPath(e, m.path, m.value);
      return { event: e, expected: m.validated ? 'invalid_event' : 'accepted' };
    case 'farTimestamp':
      e.timestamp = stamp(m.offsetMs, m.asNumber);
      return { event: e, expected: 'timestamp_out_of_range' };
    case 'bot':
      setPath(e, ['context', 'userAgent'], m.userAgent);
      return { event: e, expected: 'dropped' };
    case 'duplicate':
      if (m.of < i) e.messageId = ids[m.of];
      return { event: e, expected: 'accepted' };
  }
}

/** Within a batch, an event that would be accepted but repeats an accepted messageId is a duplicate. */
function withDuplicates(planned: { event: Record<string, unknown>; expected: Expected }[]) {
  const seen = new Set<string>();
  return planned.map(({ event, expected }) => {
    if (expected !== 'accepted') return expected;
    const id = event.messageId as string;
    if (seen.has(id)) return 'duplicate_message_id';
    seen.add(id);
    return expected;
  });
}

function request(body: string, env: EnvelopeMutation): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  if (env.kind === 'xml') headers['content-type'] = 'application/xml';
  if (env.kind === 'textPlain') headers['content-type'] = 'text/plain;charset=UTF-8';
  if (env.kind === 'headerKey') headers['x-write-key'] = 'wk_dev';
  if (env.kind === 'basicKey') headers.authorization = `Basic ${Buffer.from('wk_dev:').toString('base64')}`;
  if (env.kind === 'gzip') headers['content-encoding'] = 'gzip';
  const req = httpEvent('POST /v1/collect', env.kind === 'truncate' ? body.slice(0, Math.floor(body.length / 2)) : body, headers);
  if (env.kind === 'queryKey')
    Object.assign(req, { rawQueryString: 'writeKey=wk_dev', queryStringParameters: { writeKey: 'wk_dev' } });
  if (env.kind === 'gzip') Object.assign(req, { body: gzipSync(body).toString('base64'), isBase64Encoded: true });
  // A client address per request: the property is about answers, not the per-address rate limit.
  req.requestContext.http.sourceIp = `10.0.${Math.floor(requests / 250)}.${requests++ % 250}`;
  return req;
}

let requests = 0;
let stack: TestStack;
let handler: typeof import('../../functions/collector/handler')['handler'];

beforeAll(async () => {
  stack = await startTestStack();
  // After the stack has set the functions' environment: the very module the stack serves.
  ({ handler } = await import('../../functions/collector/handler'));
});
afterAll(async () => {
  await stack?.stop().catch(() => undefined);
  stack?.cleanup();
});

describe('collector handler: random valid batches with random mutations', () => {
  it('never answers 5xx; accounts for every event exactly as the model says', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(spec, { minLength: 1, maxLength: 20 }), envelopeMutation, async (specs, env) => {
        run++;
        const ids = specs.map((_, i) => `prop-${process.pid}-${run}-${i}`);
        const skew = env.kind === 'skew' ? env.ms : 0;
        const clientNow = Date.now() + skew;
        const planned = specs.map((s, i) => build(s, i, ids, clientNow));
        const expected = withDuplicates(planned);
        const envelope: Record<string, unknown> = { batch: planned.map((p) => p.event) };
        if (
          env.kind === 'none' ||
          env.kind === 'textPlain' ||
          env.kind === 'gzip' ||
          env.kind === 'skew' ||
          env.kind === 'xml' ||
          env.kind === 'truncate'
        )
          envelope.writeKey = 'wk_dev';
        if (env.kind === 'unknownKey') envelope.writeKey = 'wk_nobody';
        if (env.kind === 'batchNotArray') Object.assign(envelope, { writeKey: 'wk_dev', batch: { events: envelope.batch } });
        if (env.kind === 'skew') envelope.sentAt = new Date(clientNow).toISOString();

        const res = await handler(request(JSON.stringify(envelope), env), context);
        const status = res.statusCode ?? 0;
        const body = JSON.parse(res.body ?? 'null');
        expect(status).toBeLessThan(500);

        const envelopeError = ENVELOPE_ERRORS[env.kind];
        if (envelopeError) {
          expect(status).toBe(envelopeError.status);
          expect(body).toEqual({ error: expect.objectContaining({ code: envelopeError.code, message: expect.any(String) }) });
          return;
        }
        expect(status).toBe(202);
        const wantRejected = expected.flatMap((code, index) =>
          code === 'accepted' || code === 'dropped' ? [] : [{ index, code }],
        );
        expect(body.rejected.map((r: { index: number; code: string }) => ({ index: r.index, code: r.code }))).toEqual(
          wantRejected,
        );
        expect(body.accepted).toBe(expected.filter((x) => x === 'accepted').length);
        // The answer names what it dropped (only bots here), and says nothing when it dropped nothing.
        const dropped = expected.filter((x) => x === 'dropped').length;
        expect(body.dropped).toEqual(dropped ? { bot: dropped } : undefined);
        for (const r of body.rejected) {
          expect(typeof r.message).toBe('string');
          const id = planned[r.index]?.event.messageId;
          if (typeof id === 'string') expect(r.messageId).toBe(id);
        }
      }),
      { numRuns: 100 },
    );
  }, 60_000);
});

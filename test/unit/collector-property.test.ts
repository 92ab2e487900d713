import { type CollectContext, IngestBatch, IngestMessage, normalizeEvent } from '@intent/events';
import { collect } from '@intent/pipeline';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../default-config';

/**
 * The collector's edge logic on its own (no stack): whatever a client sends, an event is
 * accepted, dropped or rejected, never a throw (a throw is a 500 for the whole batch), and an
 * accepted event is a message the rollup consumer can read.
 */

const RUNS = { numRuns: 1000 };
const config = defaultConfig();
const site = config.sites.sites[0]!;
const NOW = new Date('2026-03-15T12:00:00.000Z');
const ctx: CollectContext = {
  site,
  source: 'browser',
  signals: config.signals,
  topics: new Set(['data-warehousing', 'ml-ops']),
  receivedAt: NOW,
  hashSecret: 'unit-secret',
};
const DAY = 86_400_000;
/** Names that hit Object.prototype in signals.eventMap: see the it.fails below. */
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype);

/** Any timestamp a client might send, including ones beyond Date's range of +-8.64e15 ms. */
const anyTimestamp = fc.oneof(
  fc.integer({ min: -1e16, max: 1e16 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer({ min: -100 * DAY, max: 2 * DAY }).map((ms) => new Date(NOW.getTime() + ms).toISOString()),
  fc.string(),
  fc.constantFrom(8.64e15, -8.64e15, 0, '+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00.000Z'),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(fc.oneof(arb, fc.jsonValue()), { nil: undefined });

/** Event-shaped values: the right keys, each holding a plausible or an arbitrary value. */
const eventLike = fc.record(
  {
    type: fc.oneof(fc.constantFrom('page', 'track', 'identify', 'group', 'screen'), fc.jsonValue()),
    messageId: maybe(fc.string({ maxLength: 140 })),
    anonymousId: maybe(fc.string({ maxLength: 140 })),
    userId: maybe(fc.oneof(fc.string({ maxLength: 40 }), fc.integer())),
    timestamp: maybe(anyTimestamp),
    originalTimestamp: maybe(anyTimestamp),
    sentAt: maybe(anyTimestamp),
    event: maybe(
      fc.oneof(
        fc.constantFrom('content_read', 'pricing_view', 'Demo Requested'),
        fc.string().filter((s) => !PROTOTYPE_NAMES.includes(s)),
      ),
    ),
    properties: maybe(
      fc.record({ url: maybe(fc.webUrl()), topics: maybe(fc.array(fc.string(), { maxLength: 25 })), title: maybe(fc.string()) }),
    ),
    traits: maybe(fc.record({ email: maybe(fc.emailAddress()), domain: maybe(fc.domain()), company: maybe(fc.string()) })),
    context: maybe(
      fc.record({
        userAgent: maybe(fc.string()),
        consent: maybe(fc.constantFrom('granted', 'denied', true)),
        page: maybe(fc.record({ url: maybe(fc.string()) })),
      }),
    ),
  },
  { requiredKeys: [] },
);

describe('normalizeEvent: whatever arrives', () => {
  it('never throws, and an accepted event survives the queue as a valid ingest message', () => {
    fc.assert(
      fc.property(fc.oneof(eventLike, fc.jsonValue()), (input) => {
        const outcome = normalizeEvent(input, ctx);
        expect(['accepted', 'dropped', 'rejected']).toContain(outcome.kind);
        if (outcome.kind === 'accepted') {
          const parsed = IngestMessage.safeParse(JSON.parse(JSON.stringify(outcome.message)));
          expect(parsed.success).toBe(true);
          // Accepted means in range after correction: the consumer never sees an absurd date.
          const skew = Date.parse(outcome.message.timestamp) - NOW.getTime();
          expect(skew).toBeGreaterThanOrEqual(-90 * DAY);
          expect(skew).toBeLessThanOrEqual(DAY);
        }
        if (outcome.kind === 'rejected') expect(outcome.message.length).toBeGreaterThan(0);
      }),
      {
        ...RUNS,
        // Regressions: beyond Date's range, and a sentAt correction that leaves it.
        examples: [
          [{ type: 'page', messageId: 'm', anonymousId: 'a', timestamp: 1e16 }],
          [{ type: 'page', messageId: 'm', anonymousId: 'a', timestamp: 8.64e15, sentAt: 0 }],
          [
            {
              type: 'page',
              messageId: 'm',
              anonymousId: 'a',
              timestamp: '2026-03-15T12:00:00Z',
              sentAt: '-271821-04-20T00:00:00.000Z',
            },
          ],
        ],
      },
    );
  });

  // The event map is a plain object: names of Object.prototype members must not resolve to
  // inherited functions (a regression guard for `eventMap[name] ?? 'unknown'`).
  it('rejects every Object.prototype member name as unknown_event', () => {
    for (const name of PROTOTYPE_NAMES) {
      const outcome = normalizeEvent({ type: 'track', event: name, messageId: `m-${name}`, anonymousId: 'a' }, ctx);
      expect({ name, kind: outcome.kind, code: outcome.kind === 'rejected' ? outcome.code : undefined }).toEqual({
        name,
        kind: 'rejected',
        code: 'unknown_event',
      });
    }
  });
});

describe('collect: one answer per event', () => {
  const valid = (i: number) => ({
    type: 'track',
    event: 'content_read',
    messageId: `valid-${i}`,
    anonymousId: `v-${i}`,
    timestamp: NOW.toISOString(),
  });

  it('accounts for every event once (accepted + rejected + dropped = batch), and never sinks a valid neighbour', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant('valid' as const), eventLike, fc.jsonValue()), { minLength: 1, maxLength: 40 }),
        async (items) => {
          const events = items.map((item, i) => (item === 'valid' ? valid(i) : item));
          const bodies: string[] = [];
          const result = await collect({ site, source: 'browser', events, receivedAt: NOW }, config, 'unit-secret', async (b) => {
            bodies.push(...b);
            return [];
          });
          const dropped = Object.values(result.dropped).reduce<number>((n, k) => n + (k ?? 0), 0);
          expect(result.accepted + result.rejected.length + dropped).toBe(events.length);

          const indexes = result.rejected.map((r) => r.index);
          expect(indexes).toEqual([...new Set(indexes)].sort((a, b) => a - b));
          expect(indexes.every((i) => i >= 0 && i < events.length)).toBe(true);
          const validIndexes = items.flatMap((item, i) => (item === 'valid' ? [i] : []));
          expect(indexes.filter((i) => validIndexes.includes(i))).toEqual([]);

          // What reaches the queue: the accepted events, once per messageId (plus any stats message).
          const ingest = bodies
            .flatMap((b) => IngestBatch.parse(JSON.parse(b)).messages)
            .map((m) => IngestMessage.safeParse(m))
            .filter((p) => p.success)
            .map((p) => p.data);
          expect(ingest).toHaveLength(result.accepted);
          expect(new Set(ingest.map((m) => m.id)).size).toBe(ingest.length);
          for (const i of validIndexes) expect(ingest.map((m) => m.messageId)).toContain(`valid-${i}`);
        },
      ),
      { numRuns: 300 },
    );
  });
});

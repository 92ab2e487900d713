import type { CollectorStats, IngestMessage } from '@intent/events';
import { NO_TOPIC } from '@intent/intent';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accountsToRescore,
  linkFailures,
  planLateLinks,
  planRollup,
  planStitches,
  type ResolvedEvent,
} from '../../packages/pipeline/src/rollup-plan';

const now = new Date('2026-03-10T12:00:00.000Z');
const acme = { domain: 'acme.example', identified: true } as const;

let next = 0;
function event(fields: Partial<IngestMessage> = {}, resolved: Partial<ResolvedEvent> = {}): ResolvedEvent {
  const message: IngestMessage = {
    v: 1,
    id: `event-${String(++next).padStart(4, '0')}`,
    siteId: 'site',
    messageId: 'm',
    type: 'track',
    signal: 'content_read',
    anonymousId: 'visitor-1',
    person: 'p1',
    timestamp: '2026-03-10T09:15:00.000Z',
    receivedAt: '2026-03-10T09:15:01.000Z',
    topics: ['warehousing'],
    ...fields,
  };
  return {
    recordId: `r-${message.id}`,
    message,
    resolution: undefined,
    person: message.person,
    visitorLinked: false,
    ...resolved,
  };
}

const stats = (fields: Partial<CollectorStats> = {}): { recordId: string; message: CollectorStats } => ({
  recordId: 'r-stats',
  message: {
    v: 1,
    kind: 'stats',
    id: 'stats-0001',
    siteId: 'site',
    at: '2026-03-10T09:00:00.000Z',
    rejected: {},
    dropped: {},
    ...fields,
  },
});

describe('the rollup plan of a batch', () => {
  it('writes one rollup per account and day, carrying the records of its events', () => {
    const plan = planRollup(
      [
        event({}, { resolution: acme }),
        event({ topics: [] }, { resolution: acme }),
        event({ timestamp: '2026-03-09T23:59:00.000Z' }, { resolution: acme }),
        event({}, { resolution: { domain: 'globex.example', identified: false } }),
      ],
      now,
    );
    expect(plan.accounts.map((w) => [w.group.domain, w.group.day, w.group.events.length, w.recordIds.size])).toEqual([
      ['acme.example', '2026-03-10', 2, 2],
      ['acme.example', '2026-03-09', 1, 1],
      ['globex.example', '2026-03-10', 1, 1],
    ]);
    // An event without topics counts under the no-topic topic; an unidentified one by network.
    expect(plan.accounts[0]?.group.events[1]?.topics).toEqual([NO_TOPIC]);
    expect(plan.accounts[2]?.group.events[0]?.identified).toBe(false);
    expect(plan.pending).toEqual([]);
    expect(plan.unresolved).toBe(0);
  });

  it('names each record once per item, however many of its entries the item takes', () => {
    const plan = planRollup(
      [event({}, { recordId: 'r1', resolution: acme }), event({}, { recordId: 'r1', resolution: acme })],
      now,
    );
    expect(plan.accounts).toHaveLength(1);
    expect(plan.accounts[0]?.group.events).toHaveLength(2);
    expect([...(plan.accounts[0]?.recordIds ?? [])]).toEqual(['r1']);
    expect([...(plan.activity[0]?.recordIds ?? [])]).toEqual(['r1']);
  });

  it('keeps unresolved engaged events pending for stitching, never anonymous page views', () => {
    const read = event({ anonymousId: 'v1' });
    const view = event({ anonymousId: 'v2', signal: 'page_view' });
    const noVisitor = event({ anonymousId: undefined, userHash: 'u1' });
    const plan = planRollup([read, view, noVisitor], now);
    expect(plan.accounts).toEqual([]);
    expect(plan.unresolved).toBe(3);
    expect(plan.pending).toHaveLength(1);
    expect(plan.pending[0]?.group.day).toBe('2026-03-10');
    expect(plan.pending[0]?.group.events.map((e) => e.event.anonymousId)).toEqual(['v1']);
    expect([...plan.waiting.keys()]).toEqual(['v1']);
    expect(plan.waiting.get('v1')).toEqual([{ recordId: read.recordId, message: read.message }]);
  });

  it("counts every event in its site's day, an erased visitor's as anonymous traffic only", () => {
    const erased = event({ anonymousId: 'gone' }, { resolution: 'erased' });
    const plan = planRollup([erased, event({}, { resolution: acme }), stats({ ignoredTopics: 4 })], now);
    expect(plan.accounts.flatMap((w) => [...w.recordIds])).not.toContain(erased.recordId);
    expect(plan.pending).toEqual([]);
    expect(plan.activity).toHaveLength(1);
    const [erasedActivity, resolvedActivity, statsActivity] = plan.activity[0]?.group.contributions ?? [];
    expect(erasedActivity?.people).toEqual({});
    expect(resolvedActivity?.people).toEqual({ v_warehousing: 'p1' });
    // The collector's ignored topics count in the ingestion stats; no account item is touched.
    expect(statsActivity?.counts).toEqual({ ignoredTopics: 4 });
  });

  it('counts an ignored identity claim in the ingestion stats', () => {
    const plan = planRollup([event({ type: 'identify', signal: undefined }, { ignored: 'quarantined' })], now);
    expect(plan.activity[0]?.group.contributions[0]?.counts).toMatchObject({ ign_quarantined: 1 });
    expect(plan.accounts).toEqual([]);
    expect(plan.unresolved).toBe(0);
  });

  it('remembers the first record that linked each visitor', () => {
    const plan = planRollup(
      [
        event({ anonymousId: 'v1' }, { recordId: 'before' }),
        event(
          { anonymousId: 'v1', type: 'identify', signal: undefined },
          { resolution: acme, visitorLinked: true, recordId: 'identify' },
        ),
        event({ anonymousId: 'v1' }, { resolution: acme, visitorLinked: true, recordId: 'later' }),
      ],
      now,
    );
    expect(plan.linkRecords.get('v1')).toEqual(['identify']);
  });
});

describe('any batch', () => {
  const resolvedEvent = fc
    .record({
      record: fc.constantFrom('r1', 'r2', 'r3'),
      visitor: fc.constantFrom('v1', 'v2', undefined),
      signal: fc.constantFrom('page_view', 'content_read', 'pricing_view', undefined),
      day: fc.constantFrom('2026-03-09', '2026-03-10'),
      resolution: fc.constantFrom(undefined, 'erased' as const, acme, { domain: 'globex.example', identified: false }),
    })
    .map(({ record, visitor, signal, day, resolution }) =>
      event(
        { anonymousId: visitor, userHash: visitor ? undefined : 'u1', signal, timestamp: `${day}T08:00:00.000Z` },
        { recordId: record, resolution },
      ),
    );

  it('counts every event in its site activity once, and each event with a signal in at most one of an account or pending', () => {
    fc.assert(
      fc.property(fc.array(resolvedEvent, { maxLength: 30 }), (events) => {
        const plan = planRollup(events, now);
        const contributions = plan.activity.flatMap((w) => w.group.contributions.map((c) => c.id));
        expect(contributions.sort()).toEqual(events.map((e) => e.message.id).sort());
        const counted = plan.accounts.flatMap((w) => w.group.events.map((e) => e.id));
        const pending = plan.pending.flatMap((w) => w.group.events.map((e) => e.event.id));
        expect(counted.filter((id) => pending.includes(id))).toEqual([]);
        const withSignal = events.filter((e) => e.message.signal && e.resolution !== 'erased');
        expect(counted.length).toBe(withSignal.filter((e) => e.resolution).length);
        expect(plan.unresolved).toBe(withSignal.filter((e) => !e.resolution).length);
        const engagedAnonymous = withSignal.filter(
          (e) => !e.resolution && e.message.anonymousId && e.message.signal !== 'page_view',
        );
        expect(pending.sort()).toEqual(engagedAnonymous.map((e) => e.message.id).sort());
        // A write carries exactly the records whose events it holds.
        for (const { group, recordIds } of plan.accounts) {
          const ids = new Set(group.events.map((e) => e.id));
          expect([...recordIds].sort()).toEqual(
            [...new Set(events.filter((e) => ids.has(e.message.id)).map((e) => e.recordId))].sort(),
          );
        }
      }),
    );
  });
});

describe('what the rollup adds after its reads', () => {
  it("counts a waiting visitor's events for the account a concurrent batch linked it to", () => {
    const waiting = event({ anonymousId: 'v1' });
    const plan = planRollup([waiting, event({}, { resolution: acme })], now);
    const late = planLateLinks(plan, ['v1'], [{ ...waiting, resolution: { domain: 'globex.example', identified: true } }]);
    expect(late.linkRecords.get('v1')).toEqual([waiting.recordId]);
    expect(late.accounts.map((w) => w.group.domain)).toEqual(['acme.example', 'globex.example']);
    // The plan it started from is left as it was.
    expect(plan.accounts).toHaveLength(1);
  });

  it("adds a linked visitor's pending past to its account, as identified, and re-scores the account even without any", () => {
    const identify = event({ anonymousId: 'v1', type: 'identify', signal: undefined }, { resolution: acme, visitorLinked: true });
    const plan = planRollup([identify], now);
    const past = { id: 'old-0001', slot: '2026-03-08T10', signal: 'content_read' as const, topics: ['t'], person: 'p1' };
    const stitched = planStitches(
      plan,
      [
        ['v1', 'acme.example'],
        ['v2', 'globex.example'],
      ],
      new Map([['v1', [{ day: '2026-03-08', events: [past] }]]]),
    );
    expect(stitched.stitched).toEqual(['acme.example', 'globex.example']);
    expect(stitched.accounts).toHaveLength(1);
    expect(stitched.accounts[0]?.group).toEqual({
      domain: 'acme.example',
      day: '2026-03-08',
      events: [{ ...past, identified: true }],
    });
    expect([...(stitched.accounts[0]?.recordIds ?? [])]).toEqual([identify.recordId]);
  });

  it('re-scores the stitched accounts, then those written, each with the records its writes carry', () => {
    const written = [
      { group: { domain: 'b.example', day: '2026-03-10', events: [] }, recordIds: new Set(['r1']) },
      { group: { domain: 'a.example', day: '2026-03-09', events: [] }, recordIds: new Set(['r2']) },
      { group: { domain: 'b.example', day: '2026-03-09', events: [] }, recordIds: new Set(['r3']) },
    ];
    const rescore = accountsToRescore(['a.example'], written);
    expect([...rescore].map(([domain, ids]) => [domain, [...ids]])).toEqual([
      ['a.example', ['r2']],
      ['b.example', ['r1', 'r3']],
    ]);
  });

  it('fails only the records whose identity link could not be written', () => {
    const records = [
      event({ anonymousId: 'v1' }, { recordId: 'a' }),
      event({ anonymousId: undefined, userHash: 'u1' }, { recordId: 'b' }),
      event({ anonymousId: 'v2' }, { recordId: 'c' }),
      stats(),
    ];
    expect(linkFailures(records, new Set(['v1']), new Set(['u1']))).toEqual([
      { recordId: 'a', item: 'identity link of v1' },
      { recordId: 'b', item: 'identity link of u1' },
    ]);
  });
});

import { createHash } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';
import { SIGNALS } from '@intent/config';
import type { RollupEvent } from '@intent/intent';
import { estimatePeople, PEOPLE_CAP } from '@intent/intent';
import { Store, Table } from '@intent/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTER_LIMITS } from '../../packages/store/src/counted-add';
import { clearSeenCache } from '../../packages/store/src/counter-state';
import { lostRacesDuring, startTestStack, stopTestStack, type TestStack } from './harness';

/**
 * Counter items at a real site's volume, on the stand-in: every event counted once, and every
 * item inside DynamoDB's 400 KB whatever the day's volume (docs/storage.md).
 */
const TABLE_NAME = 'intent-pipeline';

describe('counters at volume', () => {
  let stack: TestStack;
  let table: Table;
  const DAY = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const DOMAIN = 'volume.example';

  beforeAll(async () => {
    stack = await startTestStack();
    table = new Table(stack.dynamo, TABLE_NAME);
  });
  afterAll(() => stopTestStack(stack));

  /** Event `i`: hour i / 250, one topic of three, one of `people` persons. */
  const events = (from: number, to: number, people: number): RollupEvent[] =>
    Array.from({ length: to - from }, (_, k) => {
      const i = from + k;
      return {
        id: `vol-${String(i).padStart(6, '0')}`,
        // In time order, as live traffic comes: 250 events an hour.
        slot: String(Math.floor(i / 250) % 24).padStart(2, '0'),
        signal: 'content_read' as const,
        topics: [`topic-${i % 3}`],
        identified: i % 2 === 0,
        person: personOf(i % people),
      };
    });
  const add = async (evts: RollupEvent[], store: Store = stack.store) => {
    const group = { domain: DOMAIN, day: DAY, events: evts };
    return store.rollups.add(group, await store.rollups.counted([group]));
  };
  const reads = async () => (await stack.store.rollups.since(DOMAIN, DAY)).reduce((n, r) => n + (r.counts.content_read ?? 0), 0);
  /** Every item of the account's partition, with its size as DynamoDB measures it (about: names plus values). */
  const items = async () =>
    (
      await table.queryAll({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': `ACCT#${DOMAIN}` }),
      })
    ).map((item) => ({
      sk: String(item.sk),
      item,
      bytes: Buffer.byteLength(JSON.stringify(marshall(item, { convertClassInstanceToMap: true }))),
    }));

  it('counts 6,000 events of one account-day once, written by four processes’ batches at once that overlap, and keeps every item small', async () => {
    const all = events(0, 6_000, 500);
    // Four writers, each with a quarter of the events plus a quarter of another's: every event is sent twice.
    const quarters = [0, 1, 2, 3].map((q) => [
      ...all.slice(q * 1_500, (q + 1) * 1_500),
      ...all.slice(((q + 1) % 4) * 1_500, ((q + 1) % 4) * 1_500 + 1_500),
    ]);
    // Four stores: four Lambda processes, racing on the item's version.
    const outcomes = await Promise.all(quarters.map((q) => add(q, new Store(stack.dynamo, TABLE_NAME))));
    expect(outcomes.reduce((n, o) => n + o.added, 0)).toBe(6_000);
    expect(await reads()).toBe(6_000);

    const stored = await items();
    const recent = (stored.find((s) => s.sk === `R#${DAY}`)?.item.ids as Set<string> | undefined) ?? new Set<string>();
    expect(recent.size).toBeLessThanOrEqual(COUNTER_LIMITS.RECENT_IDS);
    const pages = stored.filter((s) => s.sk.startsWith(`S#R#${DAY}#`));
    expect(pages.length).toBeGreaterThan(0);
    // A page holds one move: at most the ids the counter held.
    for (const page of pages) expect((page.item.ids as Set<string>).size).toBeLessThanOrEqual(COUNTER_LIMITS.RECENT_IDS);
    for (const s of stored) expect(s.bytes).toBeLessThan(400 * 1024);
    // Every id is kept once: in the counter or in a page of its hour.
    const kept = [...recent].map((m) => m.slice(3));
    for (const page of pages) kept.push(...(page.item.ids as Set<string>));
    expect(new Set(kept).size).toBe(6_000);
  }, 120_000);

  it('has the concurrent batches of one process take turns on an item, so none loses a race to another', async () => {
    const group = (from: number) => ({ domain: 'turns.example', day: DAY, events: events(from, from + 300, 50) });
    const groups = [0, 300, 600, 900].map(group);
    // Every batch reads the item first, as the rollup does, before any of them writes.
    const counted = await Promise.all(groups.map((g) => stack.store.rollups.counted([g])));
    const lostRaces = await lostRacesDuring(stack.dynamo, async () => {
      const outcomes = await Promise.all(groups.map((g, i) => stack.store.rollups.add(g, counted[i])));
      expect(outcomes.reduce((n, o) => n + o.added, 0)).toBe(1_200);
    });
    expect(lostRaces).toBe(0);
    const rollups = await stack.store.rollups.since('turns.example', DAY);
    expect(rollups.reduce((n, r) => n + (r.counts.content_read ?? 0), 0)).toBe(1_200);
  });

  it('adds nothing when the same day is replayed, in other batches, from this process’s cache or from the pages', async () => {
    const all = events(0, 6_000, 500);
    const outcomes = await Promise.all([all.slice(0, 2_500), all.slice(2_500)].map((b) => add(b)));
    expect(outcomes.reduce((n, o) => n + o.added, 0)).toBe(0);
    // As a fresh Lambda instance would: nothing cached, every page read.
    clearSeenCache();
    expect((await add(all)).added).toBe(0);
    expect(await reads()).toBe(6_000);
  });

  it('keeps at most PEOPLE_CAP people per topic and day, and estimates how many there were', async () => {
    const rollups = await stack.store.rollups.since(DOMAIN, DAY);
    for (const r of rollups) {
      expect(r.people.length).toBeLessThanOrEqual(PEOPLE_CAP);
      // 500 people over three topics: every topic saw all of them (i % 3 and i % 500 cover all pairs).
      const estimate = estimatePeople({ members: new Set(r.people), level: r.peopleLevel ?? 0 });
      expect(estimate).toBeGreaterThan(250);
      expect(estimate).toBeLessThan(1_000);
    }
  });

  it('leaves out the counters of topics past the item’s room, counts them in `over`, and still counts the event', async () => {
    const many = Array.from({ length: 150 }, (_, t) => ({
      id: `wide-${t}`,
      slot: '12',
      signal: 'content_read' as const,
      topics: [`wide-topic-${String(t).padStart(3, '0')}`],
      identified: true,
      person: personOf(t),
    }));
    const outcome = await add(many);
    expect(outcome.added).toBe(150);
    expect(outcome.leftOut).toBeGreaterThan(0);
    const counter = (await items()).find((s) => s.sk === `R#${DAY}`);
    const numbers = Object.values(counter?.item ?? {}).filter((v) => typeof v === 'number').length;
    const sets = Object.entries(counter?.item ?? {}).filter(([k, v]) => v instanceof Set && k !== 'ids').length;
    expect(numbers).toBeLessThanOrEqual(COUNTER_LIMITS.MAX_NUMBERS + 4);
    expect(sets).toBeLessThanOrEqual(COUNTER_LIMITS.MAX_SETS);
    expect(counter?.item.over).toBe(outcome.leftOut);
  });

  it('takes the largest counter item its caps allow: 100 topics of 63 characters, every signal, full people samples', async () => {
    const domain = `${'w'.repeat(50)}.example`;
    const topic = (t: number) => `t${String(t).padStart(3, '0')}-${'x'.repeat(58)}`;
    const signals = SIGNALS;
    let n = 0;
    // Events of 20 topics each (the most one event counts), every signal, identified, 70 people per topic.
    const all: RollupEvent[] = [];
    for (let block = 0; block < 5; block++)
      for (const signal of signals)
        for (let p = 0; p < 70; p++)
          all.push({
            id: `max-${String(n++).padStart(6, '0')}`,
            slot: '07',
            signal,
            topics: Array.from({ length: 20 }, (_, t) => topic(block * 20 + t)),
            identified: true,
            person: personOf(p + block * 1_000),
          });
    const group = { domain, day: DAY, events: all };
    const outcome = await stack.store.rollups.add(group, await stack.store.rollups.counted([group]));
    expect(outcome).toEqual({ added: all.length, leftOut: 0 });
    const counter = await table.get({ pk: `ACCT#${domain}`, sk: `R#${DAY}` });
    const bytes = Buffer.byteLength(JSON.stringify(marshall(counter ?? {}, { convertClassInstanceToMap: true })));
    // docs/storage.md: at most ~268 KB; DynamoDB Local would have refused a write past 400 KB.
    expect(bytes).toBeLessThan(300 * 1024);
  }, 120_000);

  it('keeps each visitor’s pending events of a day in one item, at most 100 of them, and finds each visitor’s', async () => {
    const visitors = Array.from({ length: 4_000 }, (_, v) => `anon-${v}`);
    const pending = visitors.flatMap((anonymousId, v) =>
      [0, 1, 2].map((k) => ({
        anonymousId,
        id: `pend-${v}-${k}`,
        slot: '10',
        signal: 'content_read' as const,
        topics: ['topic-0'],
        person: personOf(v),
      })),
    );
    // A crawler's 150 reads of the day: the first 100 wait for an identify, the rest are left out.
    const crawler = Array.from({ length: 150 }, (_, k) => ({
      anonymousId: 'crawler',
      id: `crawl-${k}`,
      slot: '10',
      signal: 'content_read' as const,
      topics: ['topic-0'],
      person: personOf(9_999),
    }));
    // Two batches, as two consumers would write them.
    const leftOut = await Promise.all([
      stack.store.rollups.addPending(DAY, pending.slice(0, 6_000)),
      stack.store.rollups.addPending(DAY, [...pending.slice(6_000), ...crawler]),
    ]);
    expect(leftOut).toEqual([0, 50]);
    const found = await stack.store.rollups.pendingOf([...visitors.slice(0, 50), 'crawler'], DAY, DAY);
    for (const v of visitors.slice(0, 50))
      expect(
        found
          .get(v)
          ?.flatMap((d) => d.events.map((e) => e.id))
          .sort(),
      ).toEqual([0, 1, 2].map((k) => `pend-${v.slice(5)}-${k}`));
    expect(found.get('crawler')?.[0]?.events).toHaveLength(100);
    // Written again (a replay), the full day refuses the write: nothing changes (all 150 count as left out).
    expect(await stack.store.rollups.addPending(DAY, crawler)).toBe(150);
    expect((await stack.store.rollups.pendingOf(['crawler'], DAY, DAY)).get('crawler')?.[0]?.events).toHaveLength(100);
  }, 120_000);
});

/** A person as the collector makes them: a base64url hash (uniform, which sampling relies on). */
const personOf = (i: number) => createHash('sha256').update(`person-${i}`).digest('base64url').slice(0, 16);

import { SIGNALS, type Signal } from '@intent/config';
import type { DailyRollup, RollupEvent } from '@intent/intent';
import { type AddOutcome, addOnce, type Contribution, CounterStates, levelAttr } from './counted-add';
import {
  accountPk,
  PENDING_ENTRIES,
  PENDING_VISITOR_DAY_ENTRIES,
  parsePendingEntry,
  parseRollupAttr,
  pendingDay,
  pendingEntriesOf,
  pendingEntry,
  pendingKey,
  ROLLUP_PREFIX,
  rollupCountAttr,
  rollupDay,
  rollupKey,
  rollupPeopleAttr,
  visitorPendingQuery,
} from './keys';
import { forEachLimited } from './limited';
import { stringsOf, type Table, toAttr } from './table';

/** An engaged event of a visitor not yet resolved to an account, with every topic it counts for. */
export interface PendingEvent {
  anonymousId: string;
  id: string;
  slot: string;
  signal: Signal;
  topics: string[];
  person: string;
}

/** A day's pending events of one visitor. */
export interface PendingDay {
  day: string;
  events: Omit<PendingEvent, 'anonymousId'>[];
}

export interface RollupGroup {
  domain: string;
  day: string;
  events: RollupEvent[];
}

/** Rollups outlive the model's evidence window (3 x 14 days by default) with room to spare. */
const ROLLUP_TTL_DAYS = 120;
/** How far back an identify attributes a visitor's anonymous events to the account. */
export const STITCH_DAYS = 30;

/**
 * Per-account, per-day counters, by topic (`c#<signal>#<topic>`: all events,
 * `i#<signal>#<topic>`: by identified people, `v#<signal>#<topic>`: of those, sent with a server
 * write key, `p#<topic>`: distinct visitors, sampled above
 * PEOPLE_CAP), each event counted once (`addOnce`): one item (and usually one write per batch)
 * for all of an account's topics of a day. Unresolved visitors' engaged events wait in the
 * visitor's pending days until it identifies, when they are added to the account once.
 */
export class RollupRepository {
  constructor(private readonly table: Table) {}

  /** What the rollups of these account days have counted, in batch reads: for `add`. */
  counted(groups: RollupGroup[]): Promise<CounterStates> {
    return CounterStates.read(
      this.table,
      groups.map((g) => ({ key: rollupKey(g.domain, g.day), slots: g.events.map((e) => e.slot) })),
    );
  }

  /** Adds a group's events to the account's rollup. `counted`: see `counted()`. */
  async add(group: RollupGroup, counted?: CounterStates): Promise<AddOutcome> {
    const key = rollupKey(group.domain, group.day);
    const expiresAt = Math.floor(Date.parse(`${group.day}T00:00:00Z`) / 1000) + ROLLUP_TTL_DAYS * 86_400;
    return addOnce(this.table, key, group.events.map(contribution), expiresAt, counted?.of(key));
  }

  /**
   * Keeps unresolved visitors' engaged events of one day for stitching, for STITCH_DAYS: one
   * write per visitor for the whole batch, to its day's item while that holds fewer than
   * PENDING_VISITOR_DAY_ENTRIES (a condition on its size; past it, the events are left out and
   * counted). Each entry names the event id, signal, topics, person and hour: stitching adds
   * exactly these events under their own ids, so a replay that later resolves them directly
   * cannot count them again. Entries are set members, so writing one twice changes nothing.
   * Answers how many events were left out.
   */
  async addPending(day: string, events: PendingEvent[]): Promise<number> {
    const byVisitor = new Map<string, Set<string>>();
    for (const { anonymousId, ...e } of events) {
      const entries = byVisitor.get(anonymousId) ?? new Set<string>();
      entries.add(pendingEntry(e));
      byVisitor.set(anonymousId, entries);
    }
    const expiresAt = Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + STITCH_DAYS * 86_400;
    let leftOut = 0;
    await forEachLimited([...byVisitor], PENDING_WRITES_IN_FLIGHT, async ([anonymousId, set]) => {
      const entries = [...set];
      const kept = entries.slice(0, PENDING_VISITOR_DAY_ENTRIES);
      const applied = await this.table.updateIf(pendingKey(anonymousId, day), {
        UpdateExpression: 'ADD #ev :entries SET #exp = if_not_exists(#exp, :exp)',
        ConditionExpression: 'attribute_not_exists(#ev) OR size(#ev) <= :room',
        ExpressionAttributeNames: { '#ev': PENDING_ENTRIES, '#exp': 'expiresAt' },
        ExpressionAttributeValues: toAttr({
          ':entries': new Set(kept),
          ':room': PENDING_VISITOR_DAY_ENTRIES - kept.length,
          ':exp': expiresAt,
        }),
      });
      leftOut += entries.length - (applied ? kept.length : 0);
    });
    return leftOut;
  }

  /** Many visitors' pending events of the days `fromDay` to `toDay`, by visitor and day: one Query per visitor. */
  async pendingOf(anonymousIds: string[], fromDay: string, toDay: string): Promise<Map<string, PendingDay[]>> {
    const byVisitor = new Map<string, PendingDay[]>();
    await forEachLimited([...new Set(anonymousIds)], PENDING_WRITES_IN_FLIGHT, async (anonymousId) => {
      // Stitching must see every pending write that finished before the link was made.
      const items = await this.table.queryAll({ ...visitorPendingQuery(anonymousId, fromDay, toDay), ConsistentRead: true });
      const days = items.flatMap((item) => {
        const events = pendingEntriesOf(item).flatMap((entry) => {
          const { id, signal, topics, person, slot } = parsePendingEntry(entry);
          return isSignal(signal) ? [{ id, slot, signal, topics, person }] : [];
        });
        return events.length ? [{ day: pendingDay(String(item.sk)), events }] : [];
      });
      if (days.length) byVisitor.set(anonymousId, days);
    });
    return byVisitor;
  }

  /** The account's rollups from `fromDay` (inclusive) on, read consistently. */
  async since(domain: string, fromDay: string): Promise<DailyRollup[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: toAttr({
        ':pk': accountPk(domain),
        ':from': `${ROLLUP_PREFIX}${fromDay}`,
        ':to': `${ROLLUP_PREFIX}~`,
      }),
      // A re-score follows its own rollup writes: an eventually consistent read could miss them.
      ConsistentRead: true,
    });
    return items.flatMap((item) => rollupsOf(rollupDay(String(item.sk)), item));
  }
}

/** A rollup item's counters and people, per topic: what scoring reads. */
function rollupsOf(day: string, item: Record<string, unknown>): DailyRollup[] {
  const byTopic = new Map<string, DailyRollup>();
  const of = (topic: string) => {
    const rollup = byTopic.get(topic) ?? { day, topic, counts: {}, identified: {}, verified: {}, people: [] };
    byTopic.set(topic, rollup);
    return rollup;
  };
  for (const [attr, value] of Object.entries(item)) {
    const [kind, a = '', b = ''] = parseRollupAttr(attr);
    if ((kind === 'c' || kind === 'i' || kind === 'v') && isSignal(a) && typeof value === 'number' && value > 0) {
      const rollup = of(b);
      // `of` starts every rollup with a `verified` map.
      const counts = kind === 'c' ? rollup.counts : kind === 'i' ? rollup.identified : rollup.verified;
      if (counts) counts[a] = value;
    } else if (kind === 'p' && value instanceof Set) {
      const rollup = of(a);
      rollup.people = stringsOf(value).sort();
      const level = item[levelAttr(attr)];
      if (typeof level === 'number' && level > 0) rollup.peopleLevel = level;
    }
  }
  return [...byTopic.values()].sort((x, y) => x.topic.localeCompare(y.topic));
}

const SIGNAL_SET = new Set<string>(SIGNALS);
const isSignal = (name: string): name is Signal => SIGNAL_SET.has(name);
/** Pending writes (and stitching reads) of one batch in flight at once. */
const PENDING_WRITES_IN_FLIGHT = 8;

function contribution(e: RollupEvent): Contribution {
  const counts: Record<string, number> = {};
  const people: Record<string, string> = {};
  for (const topic of e.topics) {
    counts[rollupCountAttr('c', e.signal, topic)] = 1;
    if (e.identified) counts[rollupCountAttr('i', e.signal, topic)] = 1;
    // Page views never make a hand-raise: no counter for them (each attribute costs item space).
    if (e.identified && e.verified && e.signal !== 'page_view') counts[rollupCountAttr('v', e.signal, topic)] = 1;
    people[rollupPeopleAttr(topic)] = e.person;
  }
  return { id: e.id, slot: e.slot, counts, people };
}

import { SIGNALS, type Signal } from '@intent/config';
import type { DailyRollup } from '@intent/intent';
import { type AddOutcome, addOnce, type Contribution, CounterStates, levelAttr } from './counted-add';
import {
  accountPk,
  PENDING_PER_DAY,
  parsePendingEntry,
  pendingDay,
  pendingEntry,
  pendingKey,
  ROLLUP_PREFIX,
  rollupDay,
  rollupKey,
  visitorPendingQuery,
} from './keys';
import { forEachLimited } from './limited';
import { type Table, toAttr } from './table';

/** One event as a rollup counts it: already resolved to an account and a day. */
export interface RollupEvent {
  /** Short hash of the site and messageId: what makes a replay harmless. */
  id: string;
  /** The event's UTC hour ('00'..'23'): where its id is kept once it leaves the day's item. */
  slot: string;
  signal: Signal;
  /** Every topic it counts for (NO_TOPIC when it has none). */
  topics: string[];
  identified: boolean;
  /** Hashed visitor id, for breadth (distinct people). */
  person: string;
}

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
 * `i#<signal>#<topic>`: by identified people, `p#<topic>`: distinct visitors, sampled above
 * PEOPLE_CAP), each event counted once (`addOnce`): one item (and usually one write per batch)
 * for all of an account's topics of a day. Unresolved visitors' engaged events wait in the
 * visitor's pending items until it identifies, when they are added to the account once.
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
  add(group: RollupGroup, counted?: CounterStates): Promise<AddOutcome> {
    const key = rollupKey(group.domain, group.day);
    const expiresAt = Math.floor(Date.parse(`${group.day}T00:00:00Z`) / 1000) + ROLLUP_TTL_DAYS * 86_400;
    return addOnce(this.table, key, group.events.map(contribution), expiresAt, counted?.of(key));
  }

  /**
   * Keeps a visitor's engaged events of one day for stitching, for STITCH_DAYS: one write to
   * the visitor's item of that day. Each entry names the event id, signal, topics, person and
   * hour: stitching adds exactly these events under their own ids, so a replay that later
   * resolves them directly cannot count them again. Entries are set members, so writing one
   * twice changes nothing. Answers how many were left out because the item was full
   * (PENDING_PER_DAY): the condition on its size holds whoever else writes to it.
   */
  async addPending(anonymousId: string, day: string, events: Omit<PendingEvent, 'anonymousId'>[]): Promise<number> {
    const key = pendingKey(anonymousId, day);
    const expiresAt = Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + STITCH_DAYS * 86_400;
    let entries = [...new Set(events.map(pendingEntry))];
    for (let attempt = 0; attempt < 3 && entries.length; attempt++) {
      const applied = await this.table.updateIf(key, {
        UpdateExpression: 'ADD ev :ev SET expiresAt = if_not_exists(expiresAt, :exp)',
        ConditionExpression: 'attribute_not_exists(ev) OR size(ev) <= :room',
        ExpressionAttributeValues: toAttr({
          ':ev': new Set(entries),
          ':exp': expiresAt,
          ':room': PENDING_PER_DAY - entries.length,
        }),
      });
      if (applied) return events.length - entries.length;
      // Full, or nearly: keep what is new, as far as it has room.
      const kept = (await this.table.get(key, true))?.ev as Set<string> | undefined;
      const fresh = entries.filter((e) => !kept?.has(e));
      entries = fresh.slice(0, Math.max(0, PENDING_PER_DAY - (kept?.size ?? 0)));
    }
    return events.length - entries.length;
  }

  /** The account's rollups from `fromDay` (inclusive) on. */
  since(domain: string, fromDay: string): Promise<DailyRollup[]> {
    return this.query(accountPk(domain), fromDay);
  }

  /** Visitors' pending events of the days `fromDay` to `toDay`, by visitor and day: one Query per visitor. */
  async pendingOf(anonymousIds: string[], fromDay: string, toDay: string): Promise<Map<string, PendingDay[]>> {
    const byVisitor = new Map<string, PendingDay[]>();
    await forEachLimited([...new Set(anonymousIds)], 8, async (anonymousId) => {
      // Stitching must see every pending write that finished before the link was made.
      const items = await this.table.queryAll({ ...visitorPendingQuery(anonymousId, fromDay, toDay), ConsistentRead: true });
      const days = items.map((item) => ({
        day: pendingDay(String(item.sk)),
        events: [...((item.ev as Set<string> | undefined) ?? [])].map((entry) => {
          const { id, signal, topics, person, slot } = parsePendingEntry(entry);
          return { id, signal: signal as Signal, topics, person, slot };
        }),
      }));
      if (days.length) byVisitor.set(anonymousId, days);
    });
    return byVisitor;
  }

  private async query(pk: string, fromDay: string): Promise<DailyRollup[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: toAttr({ ':pk': pk, ':from': `${ROLLUP_PREFIX}${fromDay}`, ':to': `${ROLLUP_PREFIX}~` }),
      // A re-score follows its own rollup writes: an eventually consistent read could miss them.
      ConsistentRead: true,
    });
    return items.flatMap((item) => {
      const day = rollupDay(String(item.sk));
      const byTopic = new Map<string, DailyRollup>();
      const of = (topic: string) => {
        const rollup = byTopic.get(topic) ?? { day, topic, counts: {}, identified: {}, people: [] };
        byTopic.set(topic, rollup);
        return rollup;
      };
      for (const [attr, value] of Object.entries(item)) {
        const [kind, a = '', b = ''] = attr.split('#');
        if ((kind === 'c' || kind === 'i') && SIGNAL_SET.has(a) && typeof value === 'number' && value > 0) {
          of(b)[kind === 'c' ? 'counts' : 'identified'][a as Signal] = value;
        } else if (kind === 'p' && value instanceof Set) {
          const rollup = of(a);
          rollup.people = [...(value as Set<string>)].sort();
          const level = item[levelAttr(attr)];
          if (typeof level === 'number' && level > 0) rollup.peopleLevel = level;
        }
      }
      return [...byTopic.values()].sort((x, y) => x.topic.localeCompare(y.topic));
    });
  }
}

const SIGNAL_SET = new Set<string>(SIGNALS);

function contribution(e: RollupEvent): Contribution {
  const counts: Record<string, number> = {};
  const people: Record<string, string> = {};
  for (const topic of e.topics) {
    counts[`c#${e.signal}#${topic}`] = 1;
    if (e.identified) counts[`i#${e.signal}#${topic}`] = 1;
    people[`p#${topic}`] = e.person;
  }
  return { id: e.id, slot: e.slot, counts, people };
}

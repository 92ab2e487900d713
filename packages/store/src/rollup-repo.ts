import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SIGNALS, type Signal } from '@intent/config';
import type { DailyRollup } from '@intent/intent';
import { addOnce, type Contribution, CounterStates } from './counted-add';
import {
  accountPk,
  parsePendingEntry,
  pendingDay,
  pendingEntry,
  pendingEntryTag,
  pendingKey,
  pendingQuery,
  pendingShard,
  ROLLUP_PREFIX,
  rollupDay,
  rollupKey,
  visitorTag,
} from './keys';
import { type Table, toAttr } from './table';

/** One event as a rollup counts it: already resolved to an account and a day. */
export interface RollupEvent {
  /** Short hash of the site and messageId: what makes a replay harmless. */
  id: string;
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
 * `i#<signal>#<topic>`: by identified people, `p#<topic>`: distinct visitors), each item
 * counting every event once: one item (and one write per batch) for all of an account's topics
 * of a day. Unresolved visitors' engaged events wait in pending buckets until the visitor
 * identifies, when they are added to the account once.
 */
export class RollupRepository {
  constructor(private readonly table: Table) {}

  /** What the rollups of these account days have counted, in batch reads: for `add`. */
  counted(groups: { domain: string; day: string }[]): Promise<CounterStates> {
    return CounterStates.read(
      this.table,
      groups.map((g) => rollupKey(g.domain, g.day)),
    );
  }

  /** Adds a group's events to the account's rollup; answers how many were new. `counted`: see `counted()`. */
  add(group: RollupGroup, counted?: CounterStates): Promise<number> {
    const key = rollupKey(group.domain, group.day);
    const expiresAt = Math.floor(Date.parse(`${group.day}T00:00:00Z`) / 1000) + ROLLUP_TTL_DAYS * 86_400;
    return addOnce(this.table, key, group.events.map(contribution), { expiresAt }, counted?.of(key));
  }

  /**
   * Keeps unresolved visitors' engaged events of one day for stitching, for STITCH_DAYS: one
   * write per day and shard (`pendingKey`) for the whole batch. Each entry names the visitor
   * (by tag), the event id, signal and topics and the person: stitching adds exactly these
   * events under their own ids, so a replay that later resolves them directly cannot count
   * them again. Entries are set members, so writing one twice changes nothing: no condition.
   */
  async addPending(day: string, events: PendingEvent[]): Promise<void> {
    const byShard = new Map<number, Set<string>>();
    for (const e of events) {
      const tag = visitorTag(e.anonymousId);
      const entries = byShard.get(pendingShard(tag)) ?? new Set<string>();
      entries.add(pendingEntry({ tag, ...e }));
      byShard.set(pendingShard(tag), entries);
    }
    const expiresAt = Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + STITCH_DAYS * 86_400;
    await Promise.all(
      [...byShard].map(([shard, entries]) =>
        this.table.client.send(
          new UpdateItemCommand({
            TableName: this.table.name,
            Key: toAttr(pendingKey(day, shard)),
            UpdateExpression: 'ADD ev :ev SET expiresAt = if_not_exists(expiresAt, :exp)',
            ExpressionAttributeValues: toAttr({ ':ev': entries, ':exp': expiresAt }),
          }),
        ),
      ),
    );
  }

  /** The account's rollups from `fromDay` (inclusive) on. */
  since(domain: string, fromDay: string): Promise<DailyRollup[]> {
    return this.query(accountPk(domain), fromDay);
  }

  /** A visitor's pending events of the days `fromDay` to `toDay`, by day. */
  async pendingBetween(anonymousId: string, fromDay: string, toDay: string): Promise<PendingDay[]> {
    return (await this.pendingOf([anonymousId], fromDay, toDay)).get(anonymousId) ?? [];
  }

  /**
   * Many visitors' pending events of the days `fromDay` to `toDay`, by visitor and day: one
   * Query per shard they fall in, not one per visitor (a shard's items hold all its visitors).
   */
  async pendingOf(anonymousIds: string[], fromDay: string, toDay: string): Promise<Map<string, PendingDay[]>> {
    const byTag = new Map(anonymousIds.map((id) => [visitorTag(id), id]));
    const shards = [...new Set([...byTag.keys()].map(pendingShard))];
    // Stitching must see every pending write that finished before the link was made.
    const items = (
      await Promise.all(
        shards.map((shard) => this.table.queryAll({ ...pendingQuery(shard, fromDay, toDay), ConsistentRead: true })),
      )
    ).flat();
    const byVisitor = new Map<string, PendingDay[]>();
    for (const item of items) {
      const day = pendingDay(String(item.sk));
      const events = new Map<string, PendingDay['events']>();
      for (const entry of (item.ev as Set<string> | undefined) ?? []) {
        const anonymousId = byTag.get(pendingEntryTag(entry));
        if (!anonymousId) continue;
        const { id, signal, topics, person } = parsePendingEntry(entry);
        const list = events.get(anonymousId) ?? [];
        list.push({ id, signal: signal as Signal, topics, person });
        events.set(anonymousId, list);
      }
      for (const [anonymousId, list] of events) {
        const days = byVisitor.get(anonymousId) ?? [];
        days.push({ day, events: list });
        byVisitor.set(anonymousId, days);
      }
    }
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
          of(a).people = [...(value as Set<string>)].sort();
        }
      }
      return [...byTopic.values()].sort((x, y) => x.topic.localeCompare(y.topic));
    });
  }
}

const SIGNAL_SET = new Set<string>(SIGNALS);

function contribution(e: RollupEvent): Contribution {
  const counts: Record<string, number> = {};
  const members: Record<string, string> = {};
  for (const topic of e.topics) {
    counts[`c#${e.signal}#${topic}`] = 1;
    if (e.identified) counts[`i#${e.signal}#${topic}`] = 1;
    members[`p#${topic}`] = e.person;
  }
  return { id: e.id, counts, members };
}

import { SIGNALS, type Signal } from '@intent/config';
import type { DailyRollup } from '@intent/intent';
import { type Contribution, addOnce } from './counted-add';
import { PENDING_PREFIX, ROLLUP_PREFIX, accountPk, parseRollupSk, pendingDay, pendingKey, rollupKey, visitorPk } from './keys';
import { type Key, type Table, toAttr } from './table';

/** One event as a rollup counts it: already resolved to an account, a topic and a day. */
export interface RollupEvent {
  /** Short hash of the site and messageId: what makes a replay harmless. */
  id: string;
  signal: Signal;
  identified: boolean;
  /** Hashed visitor id, for breadth (distinct people). */
  person: string;
}

/** An engaged event of a visitor not yet resolved to an account, with every topic it counts for. */
export interface PendingEvent {
  id: string;
  signal: Signal;
  topics: string[];
  person: string;
}

export interface RollupGroup {
  domain: string;
  day: string;
  topic: string;
  events: RollupEvent[];
}

/** Rollups outlive the model's evidence window (3 x 14 days by default) with room to spare. */
const ROLLUP_TTL_DAYS = 120;
/** How far back an identify attributes a visitor's anonymous events to the account. */
export const STITCH_DAYS = 30;

/**
 * Per-account, per-topic, per-day counters (`c_<signal>`: all events, `i_<signal>`: by
 * identified people, `people`: distinct visitors), each item counting every event once. The
 * same shape, keyed by visitor, holds an anonymous visitor's engaged events until the visitor
 * identifies ("pending"), when they are added to the account once.
 */
export class RollupRepository {
  constructor(private readonly table: Table) {}

  /** Adds a group's events to the account's rollup; answers how many were new. */
  add(group: RollupGroup): Promise<number> {
    return this.addTo(rollupKey(group.domain, group.day, group.topic), group.day, group.events.map(contribution), ROLLUP_TTL_DAYS);
  }

  /**
   * Keeps an unresolved visitor's engaged events of one day for stitching, for STITCH_DAYS:
   * one item per visitor and day, whatever the topics, so a visitor's session costs one write.
   * `ev` keeps each event's id, signal and topics, so stitching adds exactly these events under
   * their own ids: a replay that later resolves them directly cannot count them again.
   */
  addPending(anonymousId: string, day: string, events: PendingEvent[]): Promise<number> {
    const contributions = events.map((e) => ({
      id: e.id,
      counts: {},
      members: { people: e.person, ev: `${e.id}|${e.signal}|${e.topics.join(',')}` },
    }));
    return this.addTo(pendingKey(anonymousId, day), day, contributions, STITCH_DAYS);
  }

  /** The account's rollups from `fromDay` (inclusive) on. */
  since(domain: string, fromDay: string): Promise<DailyRollup[]> {
    return this.query(accountPk(domain), fromDay);
  }

  /** A visitor's pending events from `fromDay` on, by day. */
  async pendingSince(anonymousId: string, fromDay: string): Promise<{ day: string; person?: string; events: Omit<PendingEvent, 'person'>[] }[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: toAttr({ ':pk': visitorPk(anonymousId), ':from': `${PENDING_PREFIX}${fromDay}`, ':to': `${PENDING_PREFIX}~` }),
      ProjectionExpression: 'sk, people, ev',
      // Stitching must see every pending write that finished before the link was made.
      ConsistentRead: true,
    });
    return items.map((item) => ({
      day: pendingDay(String(item.sk)),
      person: [...((item.people as Set<string> | undefined) ?? [])][0],
      events: [...((item.ev as Set<string> | undefined) ?? [])].map((e) => {
        const [id = '', signal = '', topics = ''] = e.split('|');
        return { id, signal: signal as Signal, topics: topics.split(',').filter(Boolean) };
      }),
    }));
  }

  private addTo(key: Key, day: string, contributions: Contribution[], ttlDays: number): Promise<number> {
    const expiresAt = Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + ttlDays * 86_400;
    return addOnce(this.table, key, contributions, { expiresAt });
  }

  private async query(pk: string, fromDay: string): Promise<DailyRollup[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: toAttr({ ':pk': pk, ':from': `${ROLLUP_PREFIX}${fromDay}`, ':to': `${ROLLUP_PREFIX}~` }),
      ProjectionExpression: ['sk', 'people', ...SIGNALS.flatMap((x) => [`c_${x}`, `i_${x}`])].join(', '),
      // A re-score follows its own rollup writes: an eventually consistent read could miss them.
      ConsistentRead: true,
    });
    return items.map((item) => {
      const { day, topic } = parseRollupSk(String(item.sk));
      return {
        day,
        topic,
        counts: countersOf(item, 'c_'),
        identified: countersOf(item, 'i_'),
        people: [...((item.people as Set<string> | undefined) ?? [])].sort(),
      };
    });
  }
}

function contribution(e: RollupEvent): Contribution {
  return {
    id: e.id,
    counts: { [`c_${e.signal}`]: 1, ...(e.identified ? { [`i_${e.signal}`]: 1 } : {}) },
    members: { people: e.person },
  };
}

function countersOf(item: Record<string, unknown>, prefix: 'c_' | 'i_'): Partial<Record<Signal, number>> {
  const out: Partial<Record<Signal, number>> = {};
  for (const s of SIGNALS) {
    const n = item[`${prefix}${s}`];
    if (typeof n === 'number' && n > 0) out[s] = n;
  }
  return out;
}

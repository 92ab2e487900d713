import { SIGNALS, type Signal } from '@intent/config';
import type { DailyRollup } from '@intent/intent';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { isConditionalCheckFailed } from './errors';
import { ROLLUP_PREFIX, accountPk, parseRollupSk, rollupKey } from './keys';
import { type Table, toAttr } from './table';

/** One event as a rollup counts it: already resolved to an account, a topic and a day. */
export interface RollupEvent {
  /** Short hash of the site and messageId: what makes a replay harmless. */
  id: string;
  signal: Signal;
  identified: boolean;
  /** Hashed visitor id, for breadth (distinct people). */
  person: string;
}

export interface RollupGroup {
  domain: string;
  day: string;
  topic: string;
  events: RollupEvent[];
}

/**
 * Condition expressions are limited to 4 KB; each id costs about 30 characters of it, so a
 * group is written in chunks of this many events.
 */
const IDS_PER_WRITE = 60;
const MAX_ATTEMPTS = 5;
/** Rollups outlive the model's evidence window (3 x 14 days by default) with room to spare. */
const ROLLUP_TTL_DAYS = 120;

/**
 * Per-account, per-topic, per-day counters. Each item keeps the ids of the events it has
 * counted: one conditional update adds a whole group of events only if none of them was
 * counted before, so duplicates cost nothing in the common case and a read plus a retry in
 * the rare one. This is the exactly-once effect without a write per event.
 */
export class RollupRepository {
  constructor(private readonly table: Table) {}

  /** Adds a group's events; answers how many were new (the rest were duplicates). */
  async add(group: RollupGroup): Promise<number> {
    const unique = [...new Map(group.events.map((e) => [e.id, e])).values()];
    let added = 0;
    for (let i = 0; i < unique.length; i += IDS_PER_WRITE) {
      added += await this.addChunk(group, unique.slice(i, i + IDS_PER_WRITE));
    }
    return added;
  }

  private async addChunk(group: RollupGroup, chunk: RollupEvent[]): Promise<number> {
    const key = rollupKey(group.domain, group.day, group.topic);
    let pending = chunk;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && pending.length > 0; attempt++) {
      try {
        await this.table.client.send(new UpdateItemCommand(addExpression(this.table.name, key, group, pending)));
        return pending.length;
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
        // Some ids were counted already (a redelivery or a replay): drop those and retry the rest.
        const seen = new Set((await this.table.get(key, true))?.ids as Set<string> | undefined);
        pending = pending.filter((e) => !seen.has(e.id));
      }
    }
    if (pending.length > 0) throw new Error(`rollup ${key.sk} of ${group.domain} kept conflicting`);
    return 0;
  }

  /** The account's rollups from `fromDay` (inclusive) on. */
  async since(domain: string, fromDay: string): Promise<DailyRollup[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: toAttr({
        ':pk': accountPk(domain),
        ':from': `${ROLLUP_PREFIX}${fromDay}`,
        ':to': `${ROLLUP_PREFIX}~`,
      }),
      ProjectionExpression: ['sk', 'people', ...SIGNALS.flatMap((x) => [`c_${x}`, `i_${x}`])].join(', '),
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

function addExpression(tableName: string, key: { pk: string; sk: string }, group: RollupGroup, events: RollupEvent[]) {
  // Counters are top-level attributes (c_<signal>: all events, i_<signal>: by identified
  // people) because ADD creates a missing top-level number but not a path inside a map.
  const values: Record<string, unknown> = {
    ':ids': new Set(events.map((e) => e.id)),
    ':people': new Set(events.map((e) => e.person)),
    ':expires': Math.floor(Date.parse(`${group.day}T00:00:00Z`) / 1000) + ROLLUP_TTL_DAYS * 86_400,
  };
  const adds = ['ids :ids', 'people :people'];
  for (const [prefix, counts] of [
    ['c_', tally(events, () => true)],
    ['i_', tally(events, (e) => e.identified)],
  ] as const) {
    for (const [signal, n] of Object.entries(counts)) {
      adds.push(`${prefix}${signal} :${prefix}${signal}`);
      values[`:${prefix}${signal}`] = n;
    }
  }
  events.forEach((e, n) => {
    values[`:id${n}`] = e.id;
  });
  return {
    TableName: tableName,
    Key: toAttr(key),
    UpdateExpression: `ADD ${adds.join(', ')} SET expiresAt = if_not_exists(expiresAt, :expires)`,
    // contains() on a missing set is false, so a new item passes.
    ConditionExpression: events.map((_, n) => `NOT contains(ids, :id${n})`).join(' AND '),
    ExpressionAttributeValues: toAttr(values),
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

function tally(events: RollupEvent[], include: (e: RollupEvent) => boolean): Partial<Record<Signal, number>> {
  const out: Partial<Record<Signal, number>> = {};
  for (const e of events) if (include(e)) out[e.signal] = (out[e.signal] ?? 0) + 1;
  return out;
}

import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { isConditionalCheckFailed } from './errors';
import { type Key, type Table, toAttr } from './table';

/** What one event adds to a counter item. */
export interface Contribution {
  /** The de-duplication id of the event. */
  id: string;
  /** Numbers to ADD, by attribute name. */
  counts: Record<string, number>;
  /** Strings to ADD to string sets, by attribute name. */
  members?: Record<string, string>;
}

/** What a counter item has counted: its event ids, and the version of the last write (0: none yet). */
export interface CounterState {
  ids: Set<string>;
  version: number;
}

/**
 * Counter states of many items, read in batches before a batch of events is written: each
 * write then knows which of its events are new and the version to write over, so it needs no
 * read of its own, and a group of only duplicates costs no write at all.
 */
export class CounterStates {
  private constructor(private readonly states: Map<string, CounterState>) {}

  /** Reads the states of these items (eventually consistent: a stale one only costs a retry). */
  static async read(table: Table, keys: Key[]): Promise<CounterStates> {
    const unique = [...new Map(keys.map((k) => [stateId(k), k])).values()];
    const items = await table.getMany(unique, false, {
      expression: '#ids, #ver, pk, sk',
      names: { '#ids': IDS, '#ver': VERSION },
    });
    const states = new Map(unique.map((k) => [stateId(k), { ids: new Set<string>(), version: 0 }]));
    for (const item of items) states.set(stateId(item as Key), stateOf(item));
    return new CounterStates(states);
  }

  /** The state of an item read, or undefined when it was not read. */
  of(key: Key): CounterState | undefined {
    return this.states.get(stateId(key));
  }
}

const IDS = 'ids';
const VERSION = 'ver';
const MAX_ATTEMPTS = 5;
const stateId = (key: Key) => `${key.pk}\u0000${key.sk}`;
const stateOf = (item: Record<string, unknown> | undefined): CounterState => ({
  ids: new Set((item?.[IDS] as Set<string> | undefined) ?? []),
  version: typeof item?.[VERSION] === 'number' ? (item[VERSION] as number) : 0,
});

/**
 * A condition expression may hold 300 operators: each id costs three (`NOT contains(...) AND`),
 * so up to this many new events are guarded by their ids, more by the item's version.
 */
const IDS_PER_CONDITION = 95;

/**
 * Adds the events not counted yet to one counter item with one conditional update. The item
 * keeps the ids it has counted (`ids`), so a duplicate (a redelivery, a replay) is dropped
 * before the write. The condition keeps a concurrent writer's events from counting twice:
 * up to IDS_PER_CONDITION new events, that none of their ids is there yet (writers of other
 * events never conflict); more, that the item's version is the one read (every write moves
 * it). A failed condition re-reads the item, consistently, and retries with what is still new.
 * The exactly-once effect costs no write per event. `state` is what a batch read found
 * (`CounterStates`), else the item is read first; it is kept up to date. Answers how many
 * events were new.
 */
export async function addOnce(
  table: Table,
  key: Key,
  contributions: Contribution[],
  set: Record<string, unknown> = {},
  state?: CounterState,
): Promise<number> {
  const unique = [...new Map(contributions.map((c) => [c.id, c])).values()];
  const current = state ?? stateOf(await table.get(key));
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const fresh = unique.filter((c) => !current.ids.has(c.id));
    if (!fresh.length) return 0;
    const byIds = fresh.length <= IDS_PER_CONDITION;
    // A version guard needs the version: after an ids-guarded write of this batch it is unknown.
    if (byIds || current.version !== UNKNOWN) {
      try {
        await table.client.send(
          new UpdateItemCommand(updateFor(table.name, key, fresh, set, byIds ? undefined : current.version)),
        );
        for (const c of fresh) current.ids.add(c.id);
        // Another writer may have moved the version in between: only a version-guarded write knows it.
        current.version = byIds ? UNKNOWN : current.version + 1;
        return fresh.length;
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
      }
    }
    Object.assign(current, stateOf(await table.get(key, true)));
  }
  throw new Error(`counter ${key.pk} ${key.sk} kept conflicting`);
}

const UNKNOWN = -1;

/** The update adding these events; guarded by their ids, or by `version` when given. */
function updateFor(tableName: string, key: Key, contributions: Contribution[], set: Record<string, unknown>, version?: number) {
  const counts = new Map<string, number>();
  const members = new Map<string, Set<string>>([[IDS, new Set()]]);
  for (const c of contributions) {
    members.get(IDS)?.add(c.id);
    for (const [attr, n] of Object.entries(c.counts)) counts.set(attr, (counts.get(attr) ?? 0) + n);
    for (const [attr, m] of Object.entries(c.members ?? {})) members.set(attr, (members.get(attr) ?? new Set()).add(m));
  }
  // Attribute names come from topic ids and signal names: always pass them as #names.
  const names: Record<string, string> = { '#ver': VERSION };
  const values: Record<string, unknown> = { ':one': 1 };
  const adds: string[] = ['#ver :one'];
  let n = 0;
  let idsName = '';
  for (const [attr, value] of [...counts, ...members]) {
    names[`#a${n}`] = attr;
    if (attr === IDS) idsName = `#a${n}`;
    values[`:a${n}`] = value;
    adds.push(`#a${n} :a${n}`);
    n++;
  }
  const sets = Object.keys(set).map((attr, i) => {
    names[`#s${i}`] = attr;
    values[`:s${i}`] = set[attr];
    // SET values are first-writer-wins (e.g. a TTL), so a retry never moves them.
    return `#s${i} = if_not_exists(#s${i}, :s${i})`;
  });
  let condition: string;
  if (version === undefined) {
    // contains() on a missing set is false, so a new item passes.
    contributions.forEach((c, i) => {
      values[`:i${i}`] = c.id;
    });
    condition = contributions.map((_, i) => `NOT contains(${idsName}, :i${i})`).join(' AND ');
  } else if (version > 0) {
    values[':was'] = version;
    condition = '#ver = :was';
  } else {
    // Items counted before versions existed have none: version 0.
    condition = 'attribute_not_exists(#ver)';
  }
  return {
    TableName: tableName,
    Key: toAttr(key),
    UpdateExpression: `ADD ${adds.join(', ')}${sets.length ? ` SET ${sets.join(', ')}` : ''}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: toAttr(values),
  };
}

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

/**
 * A condition expression may hold 300 operators and 4 KB: each id costs three operators
 * (`NOT contains(...) AND`) and about 26 characters, so a group is written in chunks of this
 * many events.
 */
const IDS_PER_WRITE = 95;
const MAX_ATTEMPTS = 5;

/**
 * Adds a group of events to one counter item with one conditional update, only if none of
 * their ids was counted before: the item keeps the ids it has counted (`ids`). Duplicates
 * cost nothing in the common case and a read plus a retry in the rare one: the exactly-once
 * effect without a write per event. Answers how many events were new.
 */
export async function addOnce(table: Table, key: Key, contributions: Contribution[], set: Record<string, unknown> = {}): Promise<number> {
  const unique = [...new Map(contributions.map((c) => [c.id, c])).values()];
  let added = 0;
  for (let i = 0; i < unique.length; i += IDS_PER_WRITE) {
    added += await addChunk(table, key, unique.slice(i, i + IDS_PER_WRITE), set);
  }
  return added;
}

async function addChunk(table: Table, key: Key, chunk: Contribution[], set: Record<string, unknown>): Promise<number> {
  let pending = chunk;
  for (let attempt = 0; attempt < MAX_ATTEMPTS && pending.length > 0; attempt++) {
    try {
      await table.client.send(new UpdateItemCommand(updateFor(table.name, key, pending, set)));
      return pending.length;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      // Some ids were counted already (a redelivery or a replay): drop those and retry the rest.
      const seen = new Set((await table.get(key, true))?.ids as Set<string> | undefined);
      pending = pending.filter((c) => !seen.has(c.id));
    }
  }
  if (pending.length > 0) throw new Error(`counter ${key.pk} ${key.sk} kept conflicting`);
  return 0;
}

function updateFor(tableName: string, key: Key, contributions: Contribution[], set: Record<string, unknown>) {
  const counts = new Map<string, number>();
  const members = new Map<string, Set<string>>([['ids', new Set()]]);
  for (const c of contributions) {
    members.get('ids')?.add(c.id);
    for (const [attr, n] of Object.entries(c.counts)) counts.set(attr, (counts.get(attr) ?? 0) + n);
    for (const [attr, m] of Object.entries(c.members ?? {})) members.set(attr, (members.get(attr) ?? new Set()).add(m));
  }
  // Attribute names come from topic ids and signal names: always pass them as #names.
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds: string[] = [];
  let n = 0;
  for (const [attr, value] of [...counts, ...members]) {
    names[`#a${n}`] = attr;
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
  contributions.forEach((c, i) => {
    values[`:i${i}`] = c.id;
  });
  names['#i'] = 'ids';
  return {
    TableName: tableName,
    Key: toAttr(key),
    UpdateExpression: `ADD ${adds.join(', ')}${sets.length ? ` SET ${sets.join(', ')}` : ''}`,
    // contains() on a missing set is false, so a new item passes.
    ConditionExpression: contributions.map((_, i) => `NOT contains(#i, :i${i})`).join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: toAttr(values),
  };
}

import { TABLE } from '@intent/resources';

type AttrValue = { S?: string } | undefined;
type AttrMap = Record<string, AttrValue>;

/**
 * Index entries a single-item write adds, moves or deletes: what DynamoDB bills on top of the
 * table's write (neither stand-in reports it). The table's indexes hold keys only, so an entry
 * is under 1 KB: a write that puts an item into an index or takes it out costs 1 unit there, one
 * that changes its index key 2 (a delete and a put), and one that leaves the key alone none.
 *
 * What the item's index keys were comes from the write's own answer: `oldImageRequest` asks
 * for it (`ALL_OLD` for puts and deletes, `UPDATED_OLD` for updates that assign an index key)
 * when the caller asked for nothing, so counting adds no request. What they become comes from
 * the request: a put's item, an update's `SET #k = :v` / `REMOVE #k` of a key attribute.
 */
export function oldImageRequest(op: string, input: Record<string, unknown>): void {
  if (input.ReturnValues !== undefined) return;
  if (op === 'PutItem' || op === 'DeleteItem') input.ReturnValues = 'ALL_OLD';
  else if (op === 'UpdateItem' && assignedKeys(input).size) input.ReturnValues = 'UPDATED_OLD';
}

/** Index write units of a successful single-item write; `old`: the answer's `Attributes`. */
export function indexWriteUnits(op: string, input: Record<string, unknown>, old: AttrMap | undefined): number {
  const asked = input.ReturnValues;
  if (op === 'PutItem' || op === 'DeleteItem') {
    if (asked !== 'ALL_OLD') return 0;
    const after = op === 'PutItem' ? ((input.Item ?? {}) as AttrMap) : {};
    return INDEXES.reduce((n, keys) => n + moves(entryOf(old ?? {}, keys), entryOf(after, keys)), 0);
  }
  if (op !== 'UpdateItem') return 0;
  const assigned = assignedKeys(input);
  if (!assigned.size || (asked !== 'UPDATED_OLD' && asked !== 'ALL_OLD')) return 0;
  return INDEXES.reduce((n, keys) => {
    if (!keys.some((k) => assigned.has(k))) return n;
    // A key attribute the update leaves alone is the same before and after.
    const before: AttrMap = {};
    const after: AttrMap = {};
    for (const k of keys) {
      before[k] = assigned.has(k) ? old?.[k] : UNCHANGED;
      after[k] = assigned.has(k) ? assigned.get(k) : UNCHANGED;
    }
    return n + moves(entryOf(before, keys), entryOf(after, keys));
  }, 0);
}

const INDEXES = TABLE.globalIndexes.map((index) => [index.partitionKey, index.sortKey]);
const KEY_ATTRS = new Set(INDEXES.flat());
const UNCHANGED: AttrValue = { S: '\u0000unchanged' };

/** The item's entry in an index (its key values), or undefined when it has none. */
function entryOf(item: AttrMap, keys: string[]): string | undefined {
  const values = keys.map((k) => item[k]?.S);
  return values.every((v) => v !== undefined) ? values.join('\u0001') : undefined;
}

function moves(before: string | undefined, after: string | undefined): number {
  if (before === after) return 0;
  return before !== undefined && after !== undefined ? 2 : 1;
}

/** The index key attributes an update assigns (their new values) or removes (undefined). */
function assignedKeys(input: Record<string, unknown>): Map<string, AttrValue> {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as AttrMap;
  const expression = String(input.UpdateExpression ?? '');
  const attr = (token: string) => (token.startsWith('#') ? names[token] : token);
  const assigned = new Map<string, AttrValue>();
  for (const [, token, value] of expression.matchAll(/(#?[\w]+)\s*=\s*(:\w+)/g)) {
    const name = attr(token as string);
    if (name && KEY_ATTRS.has(name)) assigned.set(name, values[value as string]);
  }
  const removed = /\bREMOVE\s+(.*?)(?=\s+(?:SET|ADD|DELETE)\s|$)/i.exec(expression)?.[1] ?? '';
  for (const token of removed.split(',').map((t) => t.trim())) {
    const name = attr(token);
    if (name && KEY_ATTRS.has(name)) assigned.set(name, undefined);
  }
  return assigned;
}

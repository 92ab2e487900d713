import { randomUUID } from 'node:crypto';
import type { UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { levelFor, PEOPLE_CAP, personRank } from '@intent/intent';
import {
  BORN,
  CounterState,
  cacheSeen,
  EXPIRES_AT,
  IDS,
  levelAttr,
  movesAttr,
  OVER,
  parseRecent,
  readPages,
  recentMember,
  reload,
  seenKey,
  stateId,
  VERSION,
} from './counter-state';
import { isConditionalCheckFailed } from './errors';
import { perOwner } from './per-owner';
import { backoff, type RetryPolicy } from './retry';
import { type Key, type Table, toAttr } from './table';

export { CounterState, CounterStates, levelAttr } from './counter-state';

/**
 * Exactly-once counters whose items stay inside DynamoDB's limits at any volume. The design,
 * its bounds and the arithmetic are in docs/storage.md; in short:
 * - A counter item (an account's day, a site's day) holds its numbers, its distinct-people
 *   sets (sampled above PEOPLE_CAP members) and the ids of its most recent events (`ids`, at
 *   most RECENT_IDS), and a version `ver` that every write moves. Every write is guarded by
 *   that version, so the writer's view of the item is exact: which ids it holds, which
 *   attributes, how big each set is.
 * - Counting and de-duplication are one conditional write, so a crash never leaves an event
 *   counted without its id, or the reverse.
 * - When `ids` is full, its ids move to seen pages (`S#<counter sk>#<slot>#<move>`, the slot
 *   being the event's UTC hour, one page per move of that hour), ids first, then removed from
 *   the counter, so at every moment an id is in the counter or in a page (or both, briefly).
 *   A batch reads the pages of the hours its events fall in that its process has not read yet.
 */

/** What one event adds to a counter item. */
export interface Contribution {
  /** The de-duplication id of the event. */
  id: string;
  /** The event's UTC hour ('00'..'23'): which seen pages keep its id once it leaves the counter. */
  slot: string;
  /** Numbers to ADD, by attribute name. */
  counts: Record<string, number>;
  /** A person to add to a distinct-people set, by attribute name. */
  people?: Record<string, string>;
}

/**
 * Ids kept on the counter item itself (about 7.5 KB at most). DynamoDB bills a write by the
 * item's size, and live traffic writes a busy item once per batch: small items keep that
 * cheap, while a move (two writes) every 250 to 500 events adds at most 0.008 writes per event.
 */
export const RECENT_IDS = 500;
/** Number attributes per counter item (about 100 topics' counters): beyond, new ones are left out and counted in `over`. */
export const MAX_NUMBERS = 1_400;
/** Distinct-people sets per counter item (one per topic): beyond, new ones are left out and counted in `over`. */
export const MAX_SETS = 100;
/** An expression string may be 4 KB: stay under it with room for the fixed clauses. */
const EXPRESSION_BUDGET = 3_500;
/**
 * Lost races in a row on one item before the batch gives up on it (its records are retried by
 * SQS). Four batches of a hot day all write its site's item, each several times: a writer that
 * keeps losing waits longer (up to 1 s, jittered), well inside the consumer's 60 s.
 */
const RACES: RetryPolicy = { attempts: 40, baseMs: 20, capMs: 1_000 };

export interface AddOutcome {
  /** Events counted now (not counted before). */
  added: number;
  /** Attributes left out because the item was at MAX_NUMBERS or MAX_SETS. */
  leftOut: number;
}

/**
 * Adds the events not counted yet to one counter item, exactly once, in as few conditional
 * writes as fit (usually one). `state` is what a batch read found (`CounterStates`), else the
 * item is read first; it is kept up to date. `expiresAt` (TTL) is set by the first write.
 */
export async function addOnce(
  table: Table,
  key: Key,
  contributions: Contribution[],
  expiresAt: number,
  state?: CounterState,
): Promise<AddOutcome> {
  const current = state ?? new CounterState();
  return writersOf(table).inTurn(stateId(key), current, async (handed) => {
    const unique = [...new Map(contributions.map((c) => [c.id, c])).values()];
    const slots = new Set(unique.map((c) => c.slot));
    if (!state && !handed) await reload(table, key, current, slots);
    else await readPages(table, key, current, slots);
    return addFresh(table, key, unique, slots, expiresAt, current);
  });
}

/**
 * The writers of one counter item in this process, one at a time, each handing its exact view of
 * the item to the next. Locally the ingest consumer's concurrent batches share a process, and
 * would otherwise lose version races to each other on a busy item (a site's day, a big
 * account's), each loss costing a wait and a consistent read. In AWS a Lambda process runs one
 * batch at a time, so no writer ever waits here: writers in other processes race as before,
 * settled by the version. Entries live only while a writer holds or awaits the item.
 */
class ItemWriters {
  private readonly items = new Map<string, { tail: Promise<void>; writers: number; latest?: CounterState }>();

  /** Runs `write` when the item's earlier writers are done; `handed` tells it that `state` took a later view from one. */
  async inTurn<T>(id: string, state: CounterState, write: (handed: boolean) => Promise<T>): Promise<T> {
    const item = this.items.get(id) ?? { tail: Promise.resolve(), writers: 0 };
    this.items.set(id, item);
    item.writers++;
    const before = item.tail;
    let done = () => {};
    item.tail = new Promise<void>((resolve) => {
      done = resolve;
    });
    await before;
    try {
      const handed = item.latest ? state.adopt(item.latest) : false;
      const result = await write(handed);
      item.latest = state;
      return result;
    } finally {
      done();
      if (--item.writers === 0) this.items.delete(id);
    }
  }
}

/** Per table: a process's store has one. */
const writersOf = perOwner<Table, ItemWriters>(() => new ItemWriters());
/** Writes the events `current` does not show counted, moving recent ids out when the item is full. */
async function addFresh(
  table: Table,
  key: Key,
  unique: Contribution[],
  slots: Set<string>,
  expiresAt: number,
  current: CounterState,
): Promise<AddOutcome> {
  const outcome: AddOutcome = { added: 0, leftOut: 0 };
  let conflicts = 0;
  for (;;) {
    const fresh = unique.filter((c) => !current.has(c));
    if (!fresh.length) {
      cacheSeen(table, key, current);
      return outcome;
    }
    try {
      // Room for fewer than this batch's (or half the item's) ids: move them out first, so every
      // move takes at least half the item's ids and every page holds at least that many.
      const room = RECENT_IDS - current.recent.size;
      if (room < Math.min(fresh.length, RECENT_IDS / 2)) {
        await moveRecentToPages(table, key, current, expiresAt);
        conflicts = 0;
        continue;
      }
      const write = planWrite(fresh.slice(0, room), expiresAt, current);
      await table.update(key, write.update);
      write.apply();
      // Progress: only lost races in a row count against the item.
      conflicts = 0;
      outcome.added += write.events;
      outcome.leftOut += write.leftOut;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      if (++conflicts >= RACES.attempts) throw new Error(`counter ${key.pk} ${key.sk} lost ${RACES.attempts} races in a row`);
      await backoff(conflicts, RACES);
      await reload(table, key, current, slots);
    }
  }
}

/**
 * Moves the counter's recent ids to the seen pages of their slots: each slot's ids are added to
 * the page of its next move (`mv#<slot>`: page n for move n), then the counter forgets them and
 * counts the move (version-guarded). Adding to a page twice is harmless (a set), so a crash or a
 * lost race in between only repeats the move into the same page. A page only ever receives the
 * ids the item held before that move, so it holds at most RECENT_IDS.
 */
async function moveRecentToPages(table: Table, key: Key, state: CounterState, expiresAt: number) {
  const bySlot = new Map<string, string[]>();
  for (const member of state.recent) {
    const { slot, id } = parseRecent(member);
    const ids = bySlot.get(slot) ?? [];
    ids.push(id);
    bySlot.set(slot, ids);
  }
  await Promise.all(
    [...bySlot].map(([slot, ids]) =>
      table.update(seenKey(key, slot, state.moves.get(slot) ?? 0), {
        UpdateExpression: 'ADD #ids :ids SET #exp = if_not_exists(#exp, :exp)',
        ExpressionAttributeNames: { '#ids': IDS, '#exp': EXPIRES_AT },
        ExpressionAttributeValues: toAttr({ ':ids': new Set(ids), ':exp': expiresAt }),
      }),
    ),
  );
  const slots = [...bySlot.keys()];
  const names: Record<string, string> = { '#ids': IDS, '#ver': VERSION };
  slots.forEach((slot, i) => {
    names[`#m${i}`] = movesAttr(slot);
  });
  const update = {
    UpdateExpression: `DELETE #ids :moved ADD #ver :one, ${slots.map((_, i) => `#m${i} :one`).join(', ')}`,
    ConditionExpression: state.version > 0 ? '#ver = :was' : 'attribute_not_exists(#ver)',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: toAttr({
      ':moved': new Set(state.recent),
      ':one': 1,
      ...(state.version > 0 ? { ':was': state.version } : {}),
    }),
  };
  await table.update(key, update);
  state.version++;
  state.movedRecent(bySlot);
}

interface PlannedWrite {
  update: Omit<UpdateItemCommandInput, 'TableName' | 'Key'>;
  events: number;
  leftOut: number;
  apply(): void;
}

/**
 * One version-guarded update adding as many of `fresh` (in order) as fit the expression budget:
 * numbers ADDed (new attributes only while the item has room), people added to their sets
 * (sampled above PEOPLE_CAP), ids added to `ids`.
 */
function planWrite(fresh: Contribution[], expiresAt: number, state: CounterState): PlannedWrite {
  const names: Record<string, string> = { '#ver': VERSION, '#ids': IDS, '#exp': EXPIRES_AT, '#born': BORN };
  const born = state.born ?? randomUUID().slice(0, 8);
  const values: Record<string, unknown> = { ':one': 1, ':exp': expiresAt, ':born': born };
  const numbers = new Map<string, number>();
  const people = new Map<string, Set<string>>();
  const taken: Contribution[] = [];
  let leftOut = 0;
  const newNumbers = new Set<string>();
  const newSets = new Set<string>();
  let length = 200;
  for (const c of fresh) {
    // Each new attribute costs about 12 characters of the update expression ("#n123 :n123, ").
    const adds = [...Object.keys(c.counts), ...Object.keys(c.people ?? {})].filter((a) => !numbers.has(a) && !people.has(a));
    if (taken.length && length + adds.length * 30 > EXPRESSION_BUDGET) break;
    length += adds.length * 30;
    taken.push(c);
    for (const [attr, n] of Object.entries(c.counts)) {
      if (!state.numbers.has(attr) && !newNumbers.has(attr)) {
        if (state.numbers.size + newNumbers.size >= MAX_NUMBERS) {
          leftOut++;
          continue;
        }
        newNumbers.add(attr);
      }
      numbers.set(attr, (numbers.get(attr) ?? 0) + n);
    }
    for (const [attr, person] of Object.entries(c.people ?? {})) {
      if (!state.sets.has(attr) && !newSets.has(attr)) {
        if (state.sets.size + newSets.size >= MAX_SETS) {
          leftOut++;
          continue;
        }
        newSets.add(attr);
      }
      people.set(attr, (people.get(attr) ?? new Set()).add(person));
    }
  }
  if (leftOut) numbers.set(OVER, (numbers.get(OVER) ?? 0) + leftOut);

  const adds = ['#ver :one', '#ids :ids'];
  // First-writer-wins, so a retry never moves the TTL, and the item's incarnation stays.
  const sets: string[] = ['#exp = if_not_exists(#exp, :exp)', '#born = if_not_exists(#born, :born)'];
  const setChanges = new Map<string, { members: Set<string>; level: number }>();
  values[':ids'] = new Set(taken.map(recentMember));
  let n = 0;
  for (const [attr, value] of numbers) {
    names[`#n${n}`] = attr;
    values[`:n${n}`] = value;
    adds.push(`#n${n} :n${n}`);
    n++;
  }
  let p = 0;
  for (const [attr, persons] of people) {
    const before = state.sets.get(attr) ?? { members: new Set<string>(), level: 0 };
    const candidates = [...persons].filter((x) => !before.members.has(x) && personRank(x) >= before.level);
    if (!candidates.length) continue;
    const level = levelFor([...before.members, ...candidates], before.level);
    const added = candidates.filter((x) => personRank(x) >= level);
    const dropped = [...before.members].filter((x) => personRank(x) < level);
    names[`#p${p}`] = attr;
    const members = new Set([...before.members].filter((x) => personRank(x) >= level));
    for (const x of added) members.add(x);
    if (dropped.length) {
      // A set cannot be added to and deleted from in one update: the write is version-guarded,
      // so replacing the whole sample (at most PEOPLE_CAP members) is as safe.
      values[`:p${p}`] = members;
      sets.push(`#p${p} = :p${p}`);
    } else if (added.length) {
      values[`:p${p}`] = new Set(added);
      adds.push(`#p${p} :p${p}`);
    }
    if (level !== before.level) {
      names[`#l${p}`] = levelAttr(attr);
      values[`:l${p}`] = level;
      sets.push(`#l${p} = :l${p}`);
    }
    setChanges.set(attr, { members, level });
    p++;
  }
  if (state.version > 0) values[':was'] = state.version;
  const update = {
    UpdateExpression: `ADD ${adds.join(', ')} SET ${sets.join(', ')}`,
    ConditionExpression: state.version > 0 ? '#ver = :was' : 'attribute_not_exists(#ver)',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: toAttr(values),
  };
  return {
    update,
    events: taken.length,
    leftOut,
    apply() {
      state.version++;
      // The condition held, so the item had this `born` or none and now has it.
      state.born = born;
      state.addRecent(taken);
      for (const attr of numbers.keys()) state.numbers.add(attr);
      for (const [attr, change] of setChanges) {
        state.sets.set(attr, change);
        if (change.level > 0) state.numbers.add(levelAttr(attr));
      }
    },
  };
}

/** Exported for the limits' arithmetic in docs/storage.md and its test. */
export const COUNTER_LIMITS = { RECENT_IDS, MAX_NUMBERS, MAX_SETS, PEOPLE_CAP, EXPRESSION_BUDGET };

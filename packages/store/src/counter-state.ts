import type { Contribution } from './counted-add';
import { seenPrefix } from './keys';
import { forEachLimited } from './limited';
import { type Item, type Key, keyOf, stringsOf, type Table, toAttr } from './table';

/**
 * What a counter item holds besides its numbers and people, and a writer's view of it: its
 * recent ids (`HH:id`), its version, its incarnation, how many times each hour's ids moved to
 * seen pages, and the ids of those pages this writer knows. The layout is described in
 * docs/storage.md; `counted-add.ts` writes it.
 */

export const IDS = 'ids';
export const VERSION = 'ver';
export const OVER = 'over';
/**
 * Set by an item's first write and never changed: tells a process's cache of seen ids (below)
 * that the item it knew is this one, not one created again after its TTL or a delete.
 */
export const BORN = 'born';
/**
 * `mv#<slot>`: how many times ids of that hour moved to its seen pages (absent: none). Move
 * number n writes page n, so pages [0, mv) are the hour's whole history of moves.
 */
const MOVES_PREFIX = 'mv#';
export const movesAttr = (slot: string) => `${MOVES_PREFIX}${slot}`;
const LEGACY_SLOT = '--';
const SLOT_SEPARATOR = ':';
/** The attribute holding a people set's sampling level. */
export const levelAttr = (setAttr: string) => `L${setAttr}`;
export const EXPIRES_AT = 'expiresAt';
const RESERVED = new Set([IDS, VERSION, OVER, BORN, 'pk', 'sk', EXPIRES_AT]);

export const seenKey = (key: Key, slot: string, move: number) => ({
  pk: key.pk,
  sk: `${seenPrefix(key, slot)}${String(move).padStart(6, '0')}`,
});

/** An id as the counter keeps it: with its slot, so moving it out knows where it goes. */
export const recentMember = (c: Pick<Contribution, 'id' | 'slot'>) => `${c.slot}${SLOT_SEPARATOR}${c.id}`;
export function parseRecent(member: string): { slot: string; id: string } {
  const at = member.indexOf(SLOT_SEPARATOR);
  // Items counted before slots existed hold bare ids.
  return at < 0 ? { slot: LEGACY_SLOT, id: member } : { slot: member.slice(0, at), id: member.slice(at + 1) };
}

/**
 * Ids of an hour's seen pages a writer knows: every id of pages [0, through), and perhaps ids of
 * later ones (ids it moved itself). Only ever grows, and holds only counted ids, so one set is
 * safely shared by the writers of a process and its cache.
 */
interface SeenIds {
  through: number;
  ids: Set<string>;
}

/** A writer's exact view of one counter item at `version`, plus the seen ids of the slots it read. */
export class CounterState {
  version = 0;
  born: string | undefined;
  /** The item's recent ids as stored (`HH:id`). */
  recent = new Set<string>();
  private recentIds = new Set<string>();
  /** Per slot that has seen pages: how many moves it had (`mv#<slot>`). */
  moves = new Map<string, number>();
  /** Per slot read: the ids of its pages this writer knows. */
  readonly seen = new Map<string, SeenIds>();
  /** The item's number attributes (counters, `over`, sampling levels). */
  numbers = new Set<string>();
  sets = new Map<string, { members: Set<string>; level: number }>();

  /**
   * Replaces the counter's part of the view with `item`. The seen ids known stay, unless the
   * item is not the one they came from (created again: another `born`, or a lower version).
   */
  load(item: Item | undefined) {
    const storedVersion = item?.[VERSION];
    const storedBorn = item?.[BORN];
    const version = typeof storedVersion === 'number' ? storedVersion : 0;
    const born = typeof storedBorn === 'string' ? storedBorn : undefined;
    if (version < this.version || (this.born !== undefined && born !== this.born)) this.seen.clear();
    this.version = version;
    this.born = born;
    this.recent = new Set(stringsOf(item?.[IDS]));
    this.recentIds = new Set([...this.recent].map((m) => parseRecent(m).id));
    this.moves = new Map();
    this.numbers = new Set();
    this.sets = new Map();
    for (const [attr, value] of Object.entries(item ?? {})) {
      if (RESERVED.has(attr)) continue;
      if (attr.startsWith(MOVES_PREFIX)) {
        if (typeof value === 'number') this.moves.set(attr.slice(MOVES_PREFIX.length), value);
        continue;
      }
      if (typeof value === 'number') this.numbers.add(attr);
      else if (value instanceof Set) this.sets.set(attr, { members: new Set(stringsOf(value)), level: 0 });
    }
    for (const [attr, set] of this.sets) {
      const level = item?.[levelAttr(attr)];
      if (typeof level === 'number') set.level = level;
    }
  }

  /**
   * Takes `later`'s view when it is of a later version of the item (a writer of this process
   * that went before): the counter's part copied, the seen ids merged. Answers whether it did.
   */
  adopt(later: CounterState): boolean {
    if (later.version <= this.version) return false;
    this.version = later.version;
    this.born = later.born;
    this.recent = new Set(later.recent);
    this.recentIds = new Set(later.recentIds);
    this.moves = new Map(later.moves);
    this.numbers = new Set(later.numbers);
    this.sets = new Map([...later.sets].map(([attr, set]) => [attr, { members: new Set(set.members), level: set.level }]));
    for (const [slot, seen] of later.seen) {
      const mine = this.seenOf(slot);
      // Seen ids only grow and hold only counted ids: the larger set is shared, as the cache shares it.
      if (seen.through >= mine.through) {
        for (const id of mine.ids) seen.ids.add(id);
        mine.ids = seen.ids;
        mine.through = seen.through;
      } else for (const id of seen.ids) mine.ids.add(id);
    }
    return true;
  }

  /** Whether this view shows the event counted: in the recent ids, or in its hour's seen pages read. */
  has(c: Pick<Contribution, 'id' | 'slot'>): boolean {
    return this.recentIds.has(c.id) || (this.seen.get(c.slot)?.ids.has(c.id) ?? false);
  }

  /** The item now also holds these events' ids (a write of them succeeded). */
  addRecent(counted: Pick<Contribution, 'id' | 'slot'>[]) {
    for (const c of counted) {
      this.recent.add(recentMember(c));
      this.recentIds.add(c.id);
    }
  }

  /** The recent ids moved to their slots' pages and left the item (the move's write succeeded). */
  movedRecent(bySlot: Map<string, string[]>) {
    for (const [slot, ids] of bySlot) {
      const move = this.moves.get(slot) ?? 0;
      const seen = this.seenOf(slot);
      for (const id of ids) seen.ids.add(id);
      // Page `move` is the one just written: a view that had every earlier page now has it too.
      if (seen.through === move) seen.through = move + 1;
      this.moves.set(slot, move + 1);
    }
    this.recent = new Set();
    this.recentIds = new Set();
  }

  seenOf(slot: string): SeenIds {
    let seen = this.seen.get(slot);
    if (!seen) {
      seen = { through: 0, ids: new Set() };
      this.seen.set(slot, seen);
    }
    return seen;
  }
}

/**
 * Seen ids this process read, per counter item and hour, so that a busy hour's pages are read
 * once per process, and after that only the pages its moves add: a batch then reads what changed
 * since the last, not the hour's whole history. Bounded (least recently used entries go first),
 * and keyed by the item's incarnation (`born`), so an item created again is read afresh.
 */
class SeenCache {
  private readonly entries = new Map<string, SeenIds & { born: string }>();

  constructor(
    private readonly maxIds: number,
    private readonly maxEntries: number,
  ) {}

  get(table: Table, key: Key, slot: string, born: string | undefined): SeenIds | undefined {
    if (!born) return undefined;
    const id = cacheId(table, key, slot);
    const entry = this.entries.get(id);
    if (!entry || entry.born !== born) return undefined;
    this.entries.delete(id);
    this.entries.set(id, entry);
    return { through: entry.through, ids: entry.ids };
  }

  put(table: Table, key: Key, slot: string, born: string | undefined, seen: SeenIds) {
    if (!born) return;
    const id = cacheId(table, key, slot);
    const entry = this.entries.get(id);
    if (entry && entry.born === born && entry.through > seen.through) return;
    this.entries.delete(id);
    this.entries.set(id, { born, through: seen.through, ids: seen.ids });
    let total = 0;
    for (const e of this.entries.values()) total += e.ids.size;
    for (const [oldest, e] of this.entries) {
      if (total <= this.maxIds && this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
      total -= e.ids.size;
    }
  }

  clear() {
    this.entries.clear();
  }
}

const cacheId = (table: Table, key: Key, slot: string) => `${table.name}\u0000${key.pk}\u0000${key.sk}\u0000${slot}`;

/**
 * At most 200,000 ids (tens of MB) in 2,000 item-hours: a site's busiest hour and its busiest
 * accounts' fit many times over; past it, the least recently used hours are read again.
 */
const SEEN_CACHE = new SeenCache(200_000, 2_000);

/** Forgets every cached seen id (tests that delete items and start again). */
export const clearSeenCache = () => SEEN_CACHE.clear();

/** Counter states of many items, read in batches before a batch of events is written. */
export class CounterStates {
  private constructor(private readonly states: Map<string, CounterState>) {}

  /**
   * Reads the counter items (eventually consistent: a stale one only costs a retry) and the
   * seen pages of the slots each will be written with.
   */
  static async read(table: Table, wanted: { key: Key; slots: Iterable<string> }[]): Promise<CounterStates> {
    const unique = new Map<string, { key: Key; slots: Set<string> }>();
    for (const w of wanted) {
      const entry = unique.get(stateId(w.key)) ?? { key: w.key, slots: new Set<string>() };
      for (const s of w.slots) entry.slots.add(s);
      unique.set(stateId(w.key), entry);
    }
    const items = await table.getMany([...unique.values()].map((u) => u.key));
    const states = new Map([...unique.keys()].map((id) => [id, new CounterState()]));
    for (const item of items) states.get(stateId(keyOf(item)))?.load(item);
    await forEachLimited([...states], 8, async ([id, state]) => {
      const wantedItem = unique.get(id);
      if (wantedItem) await readPages(table, wantedItem.key, state, wantedItem.slots);
    });
    return new CounterStates(states);
  }

  /** The state of an item read, or undefined when it was not read. */
  of(key: Key): CounterState | undefined {
    return this.states.get(stateId(key));
  }

  /** Whether the item's state read shows this event counted. */
  has(key: Key, event: Pick<Contribution, 'id' | 'slot'>): boolean {
    return this.of(key)?.has(event) ?? false;
  }
}

/** A counter item's identity within a table: what states and turns are kept by. */
export const stateId = (key: Key) => `${key.pk}\u0000${key.sk}`;

/**
 * Brings the view's seen ids of `slots` up to the item's moves: from this process's cache, then
 * the pages neither holds (page `through` to the last move's). Pages are read consistently: a
 * page is written before the move that counts it, and once cached is never read again.
 */
export async function readPages(table: Table, key: Key, state: CounterState, slots: Iterable<string>) {
  await Promise.all(
    [...new Set([...slots, LEGACY_SLOT])].map(async (slot) => {
      const moves = state.moves.get(slot) ?? 0;
      const seen = state.seenOf(slot);
      const cached = SEEN_CACHE.get(table, key, slot, state.born);
      if (cached && cached.through > seen.through) {
        for (const id of seen.ids) cached.ids.add(id);
        seen.ids = cached.ids;
        seen.through = cached.through;
      }
      // A view of the item older than the cache's needs nothing more; a write from it fails its version.
      if (seen.through >= moves) return;
      const from = seen.through;
      const prefix = seenPrefix(key, slot);
      const pages = await table.queryAll({
        // The first read takes every page of the hour (and pages of an older layout with them).
        KeyConditionExpression: from === 0 ? 'pk = :pk AND begins_with(sk, :from)' : 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: toAttr({
          ':pk': key.pk,
          ':from': from === 0 ? prefix : seenKey(key, slot, from).sk,
          ...(from === 0 ? {} : { ':to': seenKey(key, slot, moves - 1).sk }),
        }),
        ProjectionExpression: '#ids',
        ExpressionAttributeNames: { '#ids': IDS },
        ConsistentRead: true,
      });
      for (const page of pages) for (const id of stringsOf(page[IDS])) seen.ids.add(id);
      seen.through = moves;
      SEEN_CACHE.put(table, key, slot, state.born, seen);
    }),
  );
}

/** Keeps what this view knows of the item's seen pages for the process's next batches. */
export function cacheSeen(table: Table, key: Key, state: CounterState) {
  for (const [slot, seen] of state.seen) SEEN_CACHE.put(table, key, slot, state.born, seen);
}

/** Re-reads an item after a lost race: consistently, with the pages of every slot it needs. */
export async function reload(table: Table, key: Key, state: CounterState, slots: Iterable<string>) {
  state.load(await table.get(key, true));
  // Hours whose ids another writer moved meanwhile: only their new pages are read.
  await readPages(table, key, state, slots);
}

import type { Contribution } from './counted-add';
import { forEachLimited } from './limited';
import { type Item, type Key, type Table, toAttr } from './table';

/**
 * What a counter item holds besides its numbers and people, and a writer's view of it: its
 * recent ids (`HH:id`), its version, the hours whose ids moved to seen pages, and those pages.
 * The layout is described in docs/storage.md; `counted-add.ts` writes it.
 */

export const IDS = 'ids';
export const VERSION = 'ver';
export const OVER = 'over';
/**
 * `mv#<slot>`: how many times ids of that hour moved to its seen pages (absent: it has none).
 * While it is unchanged, the pages a writer read of that hour are still whole.
 */
const MOVES_PREFIX = 'mv#';
export const movesAttr = (slot: string) => `${MOVES_PREFIX}${slot}`;
const LEGACY_SLOT = '--';
const SLOT_SEPARATOR = ':';
/** The attribute holding a people set's sampling level. */
export const levelAttr = (setAttr: string) => `L${setAttr}`;
export const EXPIRES_AT = 'expiresAt';
const RESERVED = new Set([IDS, VERSION, OVER, 'pk', 'sk', EXPIRES_AT]);

/** Where the ids of a counter's events of one hour go once they leave the counter. */
const seenPrefix = (key: Key, slot: string) => `S#${key.sk}#${slot}#`;
export const seenKey = (key: Key, slot: string, page: number) => ({
  pk: key.pk,
  sk: `${seenPrefix(key, slot)}${String(page).padStart(4, '0')}`,
});
const seenPage = (sk: string) => Number(sk.slice(sk.lastIndexOf('#') + 1));

/** An id as the counter keeps it: with its slot, so moving it out knows where it goes. */
export const recentMember = (c: Contribution) => `${c.slot}${SLOT_SEPARATOR}${c.id}`;
export function parseRecent(member: string): { slot: string; id: string } {
  const at = member.indexOf(SLOT_SEPARATOR);
  // Items counted before slots existed hold bare ids.
  return at < 0 ? { slot: LEGACY_SLOT, id: member } : { slot: member.slice(0, at), id: member.slice(at + 1) };
}

/** A writer's exact view of one counter item at `version`, plus the seen pages of the slots it read. */
export class CounterState {
  version = 0;
  recent = new Set<string>();
  /** Ids counted: those of `recent`, and those of the seen pages of `slotsRead`. */
  ids = new Set<string>();
  /** Per slot that has seen pages: how many moves it had (`mv#<slot>`). */
  moves = new Map<string, number>();
  /** Per slot whose pages were read: how many moves it had then. */
  slotsRead = new Map<string, number>();
  /** Per slot read: its last page and how many ids that page holds. */
  lastPage = new Map<string, { page: number; size: number }>();
  numbers = new Set<string>();
  sets = new Map<string, { members: Set<string>; level: number }>();

  /** Replaces the counter's part of the view with `item` (the seen pages read stay). */
  load(item: Item | undefined) {
    const recentIds = this.recentIds();
    const pageIds = [...this.ids].filter((id) => !recentIds.has(id));
    this.version = typeof item?.[VERSION] === 'number' ? (item[VERSION] as number) : 0;
    this.recent = new Set((item?.[IDS] as Set<string> | undefined) ?? []);
    this.ids = new Set(pageIds);
    for (const id of this.recentIds()) this.ids.add(id);
    this.moves = new Map();
    this.numbers = new Set();
    this.sets = new Map();
    for (const [attr, value] of Object.entries(item ?? {})) {
      if (RESERVED.has(attr)) continue;
      if (attr.startsWith(MOVES_PREFIX)) {
        this.moves.set(attr.slice(MOVES_PREFIX.length), value as number);
        continue;
      }
      if (typeof value === 'number') this.numbers.add(attr);
      else if (value instanceof Set) this.sets.set(attr, { members: new Set(value as Set<string>), level: 0 });
    }
    for (const [attr, set] of this.sets) {
      const level = item?.[levelAttr(attr)];
      if (typeof level === 'number') set.level = level;
    }
  }

  private recentIds(): Set<string> {
    return new Set([...this.recent].map((m) => parseRecent(m).id));
  }

  /** Adds what a seen page of `slot` holds. */
  addPage(slot: string, sk: string, ids: Set<string> | undefined) {
    for (const id of ids ?? []) this.ids.add(id);
    const page = seenPage(sk);
    const last = this.lastPage.get(slot);
    if (!last || page > last.page) this.lastPage.set(slot, { page, size: ids?.size ?? 0 });
  }
}

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
    for (const item of items) states.get(stateId(item as Key))?.load(item);
    await forEachLimited([...unique.entries()], 8, async ([id, { key, slots }]) => {
      await readPages(table, key, states.get(id) as CounterState, slots);
    });
    return new CounterStates(states);
  }

  /** The state of an item read, or undefined when it was not read. */
  of(key: Key): CounterState | undefined {
    return this.states.get(stateId(key));
  }

  /** Whether the item's state read shows this event id counted. */
  has(key: Key, id: string): boolean {
    return this.of(key)?.ids.has(id) ?? false;
  }
}

const stateId = (key: Key) => `${key.pk}\u0000${key.sk}`;

/** Reads the seen pages of those `slots` that have any, unless read since their last move. */
export async function readPages(table: Table, key: Key, state: CounterState, slots: Iterable<string>, consistent = false) {
  const stale = (s: string) => state.moves.has(s) && state.slotsRead.get(s) !== state.moves.get(s);
  const toRead = [...new Set([...slots, LEGACY_SLOT])].filter(stale);
  await Promise.all(
    toRead.map(async (slot) => {
      const pages = await table.queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: toAttr({ ':pk': key.pk, ':p': seenPrefix(key, slot) }),
        ProjectionExpression: 'sk, #ids',
        ExpressionAttributeNames: { '#ids': IDS },
        ConsistentRead: consistent,
      });
      for (const page of pages) state.addPage(slot, String(page.sk), page[IDS] as Set<string> | undefined);
      state.slotsRead.set(slot, state.moves.get(slot) ?? 0);
    }),
  );
}

/** Re-reads an item after a lost race: consistently, with the pages of every slot it needs. */
export async function reload(table: Table, key: Key, state: CounterState, slots: Iterable<string>) {
  state.load(await table.get(key, true));
  // Hours whose ids another writer moved meanwhile are read again.
  await readPages(table, key, state, slots, true);
}

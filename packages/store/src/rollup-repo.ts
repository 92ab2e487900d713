import { SIGNALS, type Signal } from '@intent/config';
import type { DailyRollup, RollupEvent } from '@intent/intent';
import { addToPages } from './capped-pages';
import { type AddOutcome, addOnceViewing, type Contribution, CounterState, CounterStates, levelAttr } from './counted-add';
import {
  accountPk,
  PENDING_PAGE_ENTRIES,
  parsePendingEntry,
  parseRollupAttr,
  pendingDay,
  pendingDayPagesPrefix,
  pendingEntry,
  pendingEntryTag,
  pendingKey,
  pendingPageOf,
  pendingShard,
  ROLLUP_PREFIX,
  rollupCountAttr,
  rollupDay,
  rollupKey,
  rollupPeopleAttr,
  visitorPendingQuery,
  visitorTag,
} from './keys';
import { chunksOf } from './limited';
import { type DayView, type RollupBasis, type RollupWindow, rollupWindowsOf, windowOf } from './rollup-windows';
import { type Table, toAttr } from './table';

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
 * `i#<signal>#<topic>`: by identified people, `v#<signal>#<topic>`: of those, sent with a server
 * write key, `p#<topic>`: distinct visitors, sampled above
 * PEOPLE_CAP), each event counted once (`addOnce`): one item (and usually one write per batch)
 * for all of an account's topics of a day. Unresolved visitors' engaged events wait in the
 * visitor's shard of pending pages until it identifies, when they are added to the account once.
 */
export class RollupRepository {
  /** Per shard and day, the pending page this process last wrote to: where it tries first. */
  private readonly pendingPages = new Map<string, number>();

  constructor(private readonly table: Table) {}

  /** What the rollups of these account days have counted, in batch reads: for `add`. */
  counted(groups: RollupGroup[]): Promise<CounterStates> {
    return CounterStates.read(
      this.table,
      groups.map((g) => ({ key: rollupKey(g.domain, g.day), slots: g.events.map((e) => e.slot) })),
    );
  }

  /**
   * Adds a group's events to the account's rollup. `counted`: see `counted()`. The writer's view
   * of the item after the write is exact (every write is version-guarded): this process keeps
   * it as the day's rollups, so the re-score that follows need not read them.
   */
  async add(group: RollupGroup, counted?: CounterStates): Promise<AddOutcome> {
    const key = rollupKey(group.domain, group.day);
    const expiresAt = Math.floor(Date.parse(`${group.day}T00:00:00Z`) / 1000) + ROLLUP_TTL_DAYS * 86_400;
    const { outcome, view } = await addOnceViewing(this.table, key, group.events.map(contribution), expiresAt, counted?.of(key));
    rollupWindowsOf(this.table).put(group.domain, group.day, {
      born: view.born,
      ver: view.version,
      rollups: rollupsOf(group.day, view.attributes()),
    });
    return outcome;
  }

  /**
   * Keeps unresolved visitors' engaged events of one day for stitching, for STITCH_DAYS: one
   * write per shard of that day (`pendingKey`) for the whole batch, to the shard-day's current
   * page while it has room (a condition on its size), else to the next. Each entry names the
   * visitor (by tag), the event id, signal, topics, person and hour: stitching adds exactly these
   * events under their own ids, so a replay that later resolves them directly cannot count them
   * again. Entries are set members, so writing one twice to a page changes nothing.
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
    await Promise.all([...byShard].map(([shard, entries]) => this.appendPending(day, shard, [...entries], expiresAt)));
  }

  private async appendPending(day: string, shard: number, entries: string[], expiresAt: number): Promise<void> {
    const at = `${shard}|${day}`;
    const pages = {
      key: (page: number) => pendingKey(day, shard, page),
      attr: 'ev',
      cap: PENDING_PAGE_ENTRIES,
      maxSkips: MAX_PENDING_PAGES_TRIED,
      name: `pending pages of shard ${shard} ${day}`,
    };
    for (const chunk of chunksOf(entries, PENDING_PAGE_ENTRIES)) {
      const from = this.pendingPages.get(at) ?? (await this.lastPendingPage(day, shard));
      // Where this process writes next: the page it last found room in.
      this.pendingPages.set(at, await addToPages(this.table, pages, chunk, from, expiresAt));
    }
  }

  /** The last page of a shard's day (0 when it has none): one key-only Query, newest first. */
  private async lastPendingPage(day: string, shard: number): Promise<number> {
    const first = pendingKey(day, shard, 0);
    const { items } = await this.table.queryPage({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :day)',
      ExpressionAttributeValues: toAttr({ ':pk': first.pk, ':day': pendingDayPagesPrefix(day) }),
      ProjectionExpression: 'sk',
      ScanIndexForward: false,
      Limit: 1,
    });
    const sk = items[0]?.sk;
    return typeof sk === 'string' ? pendingPageOf(sk) : 0;
  }

  /** The account's rollups from `fromDay` (inclusive) on, as stored now. */
  async since(domain: string, fromDay: string): Promise<DailyRollup[]> {
    return (await this.read(domain, fromDay)).rollups;
  }

  /**
   * The account's rollups from `fromDay` on, and the basis to save with a score computed from
   * them: this process's view of its days when it covers `basis` (the basis of the account's
   * saved score, read with it; see `RollupWindows`), else read.
   */
  async window(domain: string, fromDay: string, basis: RollupBasis | undefined): Promise<RollupWindow> {
    return rollupWindowsOf(this.table).window(domain, fromDay, basis) ?? (await this.read(domain, fromDay));
  }

  /**
   * Many visitors' pending events of the days `fromDay` to `toDay`, by visitor and day: one
   * Query per shard they fall in, not one per visitor (a shard's pages hold all its visitors).
   */
  async pendingOf(anonymousIds: string[], fromDay: string, toDay: string): Promise<Map<string, PendingDay[]>> {
    const byTag = new Map(anonymousIds.map((id) => [visitorTag(id), id]));
    const queries = new Map(
      [...byTag.values()].map((id) => [pendingShard(visitorTag(id)), visitorPendingQuery(id, fromDay, toDay)]),
    );
    // Stitching must see every pending write that finished before the link was made.
    const items = (
      await Promise.all([...queries.values()].map((q) => this.table.queryAll({ ...q, ConsistentRead: true })))
    ).flat();
    const byVisitor = new Map<string, Map<string, PendingDay['events']>>();
    for (const item of items) {
      const day = pendingDay(String(item.sk));
      for (const entry of (item.ev as Set<string> | undefined) ?? []) {
        const anonymousId = byTag.get(pendingEntryTag(entry));
        if (!anonymousId) continue;
        const { id, signal, topics, person, slot } = parsePendingEntry(entry);
        const days = byVisitor.get(anonymousId) ?? new Map<string, PendingDay['events']>();
        const list = days.get(day) ?? [];
        list.push({ id, slot, signal: signal as Signal, topics, person });
        days.set(day, list);
        byVisitor.set(anonymousId, days);
      }
    }
    return new Map([...byVisitor].map(([id, days]) => [id, [...days].map(([day, events]) => ({ day, events }))]));
  }

  /** Reads the account's rollups from `fromDay` on (consistently) and keeps them as this process's view of its days. */
  private async read(domain: string, fromDay: string): Promise<RollupWindow> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: toAttr({
        ':pk': accountPk(domain),
        ':from': `${ROLLUP_PREFIX}${fromDay}`,
        ':to': `${ROLLUP_PREFIX}~`,
      }),
      // A re-score follows its own rollup writes: an eventually consistent read could miss them.
      ConsistentRead: true,
    });
    const days = new Map<string, DayView>();
    for (const item of items) {
      const day = rollupDay(String(item.sk));
      const view = new CounterState();
      view.load(item);
      days.set(day, { born: view.born, ver: view.version, rollups: rollupsOf(day, item) });
    }
    rollupWindowsOf(this.table).replace(domain, days);
    return windowOf(days, fromDay);
  }
}

/** A rollup item's counters and people, per topic: what scoring reads. */
function rollupsOf(day: string, item: Record<string, unknown>): DailyRollup[] {
  const byTopic = new Map<string, DailyRollup>();
  const of = (topic: string) => {
    const rollup = byTopic.get(topic) ?? { day, topic, counts: {}, identified: {}, verified: {}, people: [] };
    byTopic.set(topic, rollup);
    return rollup;
  };
  for (const [attr, value] of Object.entries(item)) {
    const [kind, a = '', b = ''] = parseRollupAttr(attr);
    if ((kind === 'c' || kind === 'i' || kind === 'v') && SIGNAL_SET.has(a) && typeof value === 'number' && value > 0) {
      const rollup = of(b);
      // `of` starts every rollup with a `verified` map.
      const counts = kind === 'c' ? rollup.counts : kind === 'i' ? rollup.identified : rollup.verified;
      if (counts) counts[a as Signal] = value;
    } else if (kind === 'p' && value instanceof Set) {
      const rollup = of(a);
      rollup.people = [...(value as Set<string>)].sort();
      const level = item[levelAttr(attr)];
      if (typeof level === 'number' && level > 0) rollup.peopleLevel = level;
    }
  }
  return [...byTopic.values()].sort((x, y) => x.topic.localeCompare(y.topic));
}

const SIGNAL_SET = new Set<string>(SIGNALS);
/** Full pages skipped before a write gives up (each one a failed conditional write). */
const MAX_PENDING_PAGES_TRIED = 10;

function contribution(e: RollupEvent): Contribution {
  const counts: Record<string, number> = {};
  const people: Record<string, string> = {};
  for (const topic of e.topics) {
    counts[rollupCountAttr('c', e.signal, topic)] = 1;
    if (e.identified) counts[rollupCountAttr('i', e.signal, topic)] = 1;
    // Page views never make a hand-raise: no counter for them (each attribute costs item space).
    if (e.identified && e.verified && e.signal !== 'page_view') counts[rollupCountAttr('v', e.signal, topic)] = 1;
    people[rollupPeopleAttr(topic)] = e.person;
  }
  return { id: e.id, slot: e.slot, counts, people };
}

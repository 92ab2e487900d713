import type { Signal } from '@intent/config';
import type { CollectorStats, IngestMessage } from '@intent/events';
import { dayOf, NO_TOPIC, type RollupEvent, slotOf } from '@intent/intent';
import type { Contribution, PendingDay, PendingEvent, RollupGroup } from '@intent/store';
import { eventActivity, statsActivity } from './activity';
import type { Resolution } from './resolve';

/**
 * What the rollup decides, apart from what it reads and writes: from a batch's records as
 * resolving found them, the items to write (one per item touched, each remembering the records
 * it carries), and from the links and pending pasts read later, what else counts. Pure: the
 * executor (`rollUp`) reads, resolves and writes; these functions only plan.
 */

/** One event of a batch as resolving found it, in the batch's time order. */
export interface ResolvedEvent {
  /** The SQS message id: what a partial batch response names. */
  recordId: string;
  message: IngestMessage;
  resolution: Resolution | 'erased' | undefined;
  /** Who the event counts as in distinct-people sets (`AccountResolver.personOf`). */
  person: string;
  /** An identity claim of the event that resolving did not act on ('quarantined', 'relink'). */
  ignored?: string;
  /** Whether the event's visitor is, by now, newly linked in this batch (`AccountResolver.linked`). */
  visitorLinked: boolean;
}

/** A collector's stats record of a batch: counted in its site's activity only. */
export interface StatsRecord {
  recordId: string;
  message: CollectorStats;
}

export type ResolvedRecord = ResolvedEvent | StatsRecord;

const isStats = (record: ResolvedRecord): record is StatsRecord => 'kind' in record.message;

/** One item's write, and the records it carries: a failed write fails exactly these. */
export interface PlannedWrite<G> {
  group: G;
  recordIds: Set<string>;
}

export type ActivityGroup = { siteId: string; day: string; contributions: Contribution[] };
export type PendingGroup = { day: string; events: { siteId: string; event: PendingEvent }[] };
/** An unresolved engaged event, waiting for a link made meanwhile by another batch. */
export type WaitingEvent = { recordId: string; message: IngestMessage };

export interface RollupPlan {
  /** Per account x day: intent, every topic. */
  accounts: PlannedWrite<RollupGroup>[];
  /** Per day (the store shards it): unresolved visitors' engaged events, kept for stitching. */
  pending: PlannedWrite<PendingGroup>[];
  /** Per site x day: trends and ingestion stats. */
  activity: PlannedWrite<ActivityGroup>[];
  /** Engaged events no link or network resolved, by visitor: what a link made meanwhile must still count. */
  waiting: ReadonlyMap<string, WaitingEvent[]>;
  /** The records that linked each newly linked visitor: a failed stitch fails them, so SQS retries it. */
  linkRecords: ReadonlyMap<string, string[]>;
  /** Events with a signal that resolved to no account. */
  unresolved: number;
}

/** Writes grouped by the item they go to, in the order items were first met. */
class Groups<G> {
  protected readonly byKey = new Map<string, PlannedWrite<G>>();
  add(key: string, recordIds: Iterable<string>, make: () => G, fill: (g: G) => void) {
    const entry = this.byKey.get(key) ?? { group: make(), recordIds: new Set<string>() };
    fill(entry.group);
    for (const id of recordIds) entry.recordIds.add(id);
    this.byKey.set(key, entry);
  }
  get writes(): PlannedWrite<G>[] {
    return [...this.byKey.values()];
  }
}

const accountKey = (g: { domain: string; day: string }) => `${g.domain}|${g.day}`;

/** Account groups that more events may join; copies the plan's, so a plan is never changed. */
class AccountGroups extends Groups<RollupGroup> {
  constructor(writes: readonly PlannedWrite<RollupGroup>[] = []) {
    super();
    for (const { group, recordIds } of writes)
      this.byKey.set(accountKey(group), { group: { ...group, events: [...group.events] }, recordIds: new Set(recordIds) });
  }
  addEvent(recordIds: Iterable<string>, domain: string, day: string, event: RollupEvent) {
    this.add(
      accountKey({ domain, day }),
      recordIds,
      () => ({ domain, day, events: [] }),
      (g) => g.events.push(event),
    );
  }
}

/**
 * Plans a batch's writes from its records, resolved in time order: each event counts in its
 * site's activity (an erased visitor's as anonymous traffic, nothing else); a resolved one with
 * a signal in its account's day; an unresolved engaged one (not a page view) is kept pending
 * for stitching and waits for a late link. `now`: when the batch is processed (the lag counted).
 */
export function planRollup(records: readonly ResolvedRecord[], now: Date): RollupPlan {
  const accounts = new AccountGroups();
  const pending = new Groups<PendingGroup>();
  const activity = new Groups<ActivityGroup>();
  const waiting = new Map<string, WaitingEvent[]>();
  const linkRecords = new Map<string, string[]>();
  let unresolved = 0;
  const addActivity = (recordId: string, siteId: string, day: string, contribution: Contribution) =>
    activity.add(
      `${siteId}|${day}`,
      [recordId],
      () => ({ siteId, day, contributions: [] }),
      (g) => g.contributions.push(contribution),
    );

  for (const record of records) {
    if (isStats(record)) {
      addActivity(record.recordId, record.message.siteId, dayOf(record.message.at), statsActivity(record.message));
      continue;
    }
    const { recordId, message, resolution, person, ignored, visitorLinked } = record;
    const day = dayOf(message.timestamp);
    if (message.anonymousId && visitorLinked && !linkRecords.has(message.anonymousId))
      linkRecords.set(message.anonymousId, [recordId]);
    if (resolution === 'erased') {
      addActivity(recordId, message.siteId, day, eventActivity(message, false, now, undefined));
      continue;
    }
    addActivity(recordId, message.siteId, day, eventActivity(message, !!resolution, now, person, ignored));
    if (!message.signal) continue;
    if (resolution) {
      accounts.addEvent([recordId], resolution.domain, day, rollupEvent(message, resolution.identified, person));
      continue;
    }
    unresolved++;
    // Only engaged signals wait for a link (page views never count through one), and cost a pending write.
    if (message.anonymousId && message.signal !== 'page_view') {
      const event = pendingEvent(message, message.anonymousId, message.signal);
      pending.add(
        day,
        [recordId],
        () => ({ day, events: [] }),
        (g) => g.events.push({ siteId: message.siteId, event }),
      );
      waiting.set(message.anonymousId, [...(waiting.get(message.anonymousId) ?? []), { recordId, message }]);
    }
  }
  return { accounts: accounts.writes, pending: pending.writes, activity: activity.writes, waiting, linkRecords, unresolved };
}

/**
 * Adds what links read again after the pending writes found: visitors linked by a concurrent
 * batch, whose waiting events (`late`, resolved again knowing those links) count as resolved,
 * carried by the records that waited.
 */
export function planLateLinks(plan: RollupPlan, lateVisitors: Iterable<string>, late: readonly ResolvedEvent[]): RollupPlan {
  const accounts = new AccountGroups(plan.accounts);
  const linkRecords = new Map(plan.linkRecords);
  for (const anonymousId of lateVisitors)
    linkRecords.set(
      anonymousId,
      (plan.waiting.get(anonymousId) ?? []).map((e) => e.recordId),
    );
  for (const { recordId, message, resolution, person } of late) {
    if (resolution && resolution !== 'erased')
      accounts.addEvent(
        [recordId],
        resolution.domain,
        dayOf(message.timestamp),
        rollupEvent(message, resolution.identified, person),
      );
  }
  return { ...plan, accounts: accounts.writes, linkRecords };
}

/**
 * Adds newly linked visitors' pending pasts (`pasts`, by visitor) to their accounts, as an
 * identified person's events, carried by the records that linked them. `stitched`: the linked
 * accounts, re-scored even without any such event (an identify makes an account known).
 */
export function planStitches(
  plan: RollupPlan,
  links: readonly (readonly [anonymousId: string, domain: string])[],
  pasts: ReadonlyMap<string, PendingDay[]>,
): RollupPlan & { stitched: string[] } {
  const accounts = new AccountGroups(plan.accounts);
  const stitched = new Set<string>();
  for (const [anonymousId, domain] of links) {
    const recordIds = plan.linkRecords.get(anonymousId) ?? [];
    stitched.add(domain);
    for (const { day, events } of pasts.get(anonymousId) ?? [])
      for (const e of events) accounts.addEvent(recordIds, domain, day, { ...e, identified: true });
  }
  return { ...plan, accounts: accounts.writes, stitched: [...stitched] };
}

/**
 * The accounts to re-score, in order: the stitched ones, then those whose rollup was written;
 * each with the records its writes carry (a failed re-score fails them, so SQS retries it).
 * Re-scored even when every event was a duplicate: a redelivery after a failed re-score must
 * finish that re-score; an unchanged score costs reads, never a write.
 */
export function accountsToRescore(
  stitched: readonly string[],
  written: readonly PlannedWrite<RollupGroup>[],
): Map<string, Set<string>> {
  const rescore = new Map<string, Set<string>>(stitched.map((domain) => [domain, new Set<string>()]));
  for (const { group, recordIds } of written) {
    const domainRecords = rescore.get(group.domain) ?? new Set<string>();
    for (const id of recordIds) domainRecords.add(id);
    rescore.set(group.domain, domainRecords);
  }
  return rescore;
}

/**
 * The events whose identity link could not be written, by record, with the item that failed:
 * those records fail alone (SQS retries the link), the rest of the batch goes on.
 */
export function linkFailures(
  records: readonly ResolvedRecord[],
  failedVisitors: ReadonlySet<string>,
  failedUsers: ReadonlySet<string>,
): { recordId: string; item: string }[] {
  return records.flatMap(({ recordId, message }) => {
    if ('kind' in message) return [];
    const failed =
      (message.anonymousId && failedVisitors.has(message.anonymousId)) || (message.userHash && failedUsers.has(message.userHash));
    return failed ? [{ recordId, item: `identity link of ${message.anonymousId ?? message.userHash}` }] : [];
  });
}

/** `person`: who the event counts as in the account's distinct-people sets (`AccountResolver.personOf`). */
const rollupEvent = (message: IngestMessage, identified: boolean, person: string): RollupEvent => ({
  id: message.id,
  slot: slotOf(message.timestamp),
  signal: message.signal as Signal,
  topics: topicsOf(message),
  identified,
  verified: message.source === 'verified',
  person,
});

const pendingEvent = (message: IngestMessage, anonymousId: string, signal: Signal): PendingEvent => ({
  anonymousId,
  id: message.id,
  slot: slotOf(message.timestamp),
  signal,
  topics: topicsOf(message),
  person: message.person,
});

const topicsOf = (message: IngestMessage) => (message.topics.length ? message.topics : [NO_TOPIC]);

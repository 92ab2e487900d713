import type { Signal } from '@intent/config';
import type { CollectorStats, IngestMessage } from '@intent/events';
import type { RollupEvent } from '@intent/intent';
import { dayOf, NO_TOPIC, slotOf } from '@intent/intent';
import type { Contribution, PendingEvent, RollupGroup } from '@intent/store';
import { eventActivity, statsActivity } from './activity';
import { settleLimited } from './concurrency';
import type { IpRangeMatcher } from './ip-ranges';
import type { PodMessage } from './pod-messages';
import { rescoreAccounts } from './rescore';
import { AccountResolver, type Resolution } from './resolve';
import type { ServiceDeps } from './service-deps';
import { pendingPasts } from './stitch';

export interface IngestRecord {
  /** The SQS message id (shared by the entries of one message): what a partial batch response names. */
  recordId: string;
  message: IngestMessage | CollectorStats;
}

/** A batch's services, and what resolving its events needs besides. */
export interface RollupDeps extends ServiceDeps {
  ipRanges?: IpRangeMatcher;
  /** Erased visitors, as the register said before this batch (`ErasedVisitorCache`). */
  erased: ReadonlySet<string>;
}

export interface RollupOutcome {
  failedRecordIds: string[];
  podMessages: PodMessage[];
  counted: number;
  unresolved: number;
  rescored: number;
  /** Counter attributes left out of full items, and pending events past their visitor's day (docs/storage.md). */
  leftOut: number;
  /** Why records failed: the item and the error, one entry per failed write (what the handler logs once per batch). */
  failures: WriteFailure[];
  /** The first reason each failed record failed for (`<item>: <error>`), by record id: one per record of the batch at most. */
  reasonByRecord: ReadonlyMap<string, string>;
}

export interface WriteFailure {
  item: string;
  error: string;
}

/** DynamoDB calls in flight at once per batch: enough to hide latency, few enough not to throttle. */
const WRITE_CONCURRENCY = 8;
/** Times a batch is resolved when erasures race it, before its records are left to a redelivery. */
const MAX_RESOLVE_ATTEMPTS = 3;

/** Writes of one batch, grouped by the item they go to; each remembers the records it carries. */
class Groups<G> {
  readonly byKey = new Map<string, { group: G; recordIds: Set<string> }>();
  add(key: string, recordIds: Iterable<string>, make: () => G, fill: (g: G) => void) {
    const entry = this.byKey.get(key) ?? { group: make(), recordIds: new Set<string>() };
    fill(entry.group);
    for (const id of recordIds) entry.recordIds.add(id);
    this.byKey.set(key, entry);
  }
  get entries() {
    return [...this.byKey.values()];
  }
}

type ActivityGroup = { siteId: string; day: string; contributions: Contribution[] };

/** A batch's events grouped per item: account x day, day (pending, in shards), site x day. */
class BatchGroups {
  readonly accounts = new Groups<RollupGroup>();
  readonly pending = new Groups<{ day: string; events: { siteId: string; event: PendingEvent }[] }>();
  readonly activity = new Groups<ActivityGroup>();

  addResolved(recordIds: Iterable<string>, domain: string, day: string, event: RollupEvent) {
    this.accounts.add(
      `${domain}|${day}`,
      recordIds,
      () => ({ domain, day, events: [] }),
      (g) => g.events.push(event),
    );
  }

  /** Keeps an unresolved visitor's engaged event for stitching; anonymous page views cost no write. */
  addPending(recordId: string, message: IngestMessage) {
    const { anonymousId, signal } = message;
    if (!anonymousId || !signal || signal === 'page_view') return;
    const day = dayOf(message.timestamp);
    const event: PendingEvent = {
      anonymousId,
      id: message.id,
      slot: slotOf(message.timestamp),
      signal,
      topics: topicsOf(message),
      person: message.person,
    };
    this.pending.add(
      day,
      [recordId],
      () => ({ day, events: [] }),
      (g) => g.events.push({ siteId: message.siteId, event }),
    );
  }

  addActivity(recordId: string, siteId: string, day: string, contribution: Contribution) {
    this.activity.add(
      `${siteId}|${day}`,
      [recordId],
      () => ({ siteId, day, contributions: [] }),
      (g) => g.contributions.push(contribution),
    );
  }
}

/**
 * Rolls a batch of accepted events up with one write per item touched, not per event: per
 * account x day (intent, every topic), per day and shard for unresolved visitors' engaged events
 * (kept for stitching; anonymous page views cost no write), and per site x day (trends and
 * ingestion stats). Newly identified visitors' pending past joins the account writes, read
 * before them; then each touched account is re-scored. The items' counted ids are read in
 * batches first, so duplicates cost no write. A failure fails only the records it concerns;
 * their redelivery is harmless because every item ignores events it has already counted.
 */
export async function rollUp(records: IngestRecord[], deps: RollupDeps): Promise<RollupOutcome> {
  for (let attempt = 1; attempt <= MAX_RESOLVE_ATTEMPTS; attempt++) {
    const outcome = await rollUpOnce(records, deps);
    // A visitor was erased while the batch resolved its events, before anything but links was
    // written: resolve them all again, knowing it (the links read again show its tombstone).
    if (outcome !== 'raced') return outcome;
  }
  return failedBatch(records, [
    { item: 'identity links', error: `erasures raced ${MAX_RESOLVE_ATTEMPTS} resolutions of the batch` },
  ]);
}

/** The whole batch failed: SQS retries every record. */
const failedBatch = (records: IngestRecord[], failures: WriteFailure[]): RollupOutcome => {
  const failedRecordIds = [...new Set(records.map((r) => r.recordId))];
  const reason = failures[0] ? reasonOf(failures[0]) : 'the batch failed';
  return {
    failedRecordIds,
    podMessages: [],
    counted: 0,
    unresolved: 0,
    rescored: 0,
    leftOut: 0,
    failures,
    reasonByRecord: new Map(failedRecordIds.map((id) => [id, reason])),
  };
};

const reasonOf = (f: WriteFailure) => `${f.item}: ${f.error}`;
const errorText = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/** The records that failed in a batch, and why: at most MAX_FAILURES_KEPT reasons (the log line stays small). */
class Failures {
  readonly records = new Set<string>();
  readonly reasons: WriteFailure[] = [];
  /** Each failed record's first reason: as many entries as the batch has records, at most. */
  readonly reasonByRecord = new Map<string, string>();
  fail(recordIds: Iterable<string>, item: string, err?: unknown) {
    const failure = { item, error: errorText(err) };
    for (const id of recordIds) {
      this.records.add(id);
      if (!this.reasonByRecord.has(id)) this.reasonByRecord.set(id, reasonOf(failure));
    }
    if (this.reasons.length < MAX_FAILURES_KEPT) this.reasons.push(failure);
  }
}
const MAX_FAILURES_KEPT = 20;

async function rollUpOnce(records: IngestRecord[], deps: RollupDeps): Promise<RollupOutcome | 'raced'> {
  const { store } = deps;
  const failed = new Failures();
  const resolver = new AccountResolver(store, deps.erased, deps.ipRanges);
  const groups = new BatchGroups();
  /** Engaged events no link or network resolved, by visitor: what a link made meanwhile must still count. */
  const unresolvedByVisitor = new Map<string, { recordId: string; message: IngestMessage }[]>();
  /** The records that linked each newly linked visitor: a failed stitch fails them, so SQS retries the stitch. */
  const linkRecords = new Map<string, string[]>();
  let unresolved = 0;

  const ordered = [...records].sort((a, b) => timeOf(a.message).localeCompare(timeOf(b.message)));
  try {
    await resolver.load(ordered.flatMap(({ message }) => ('kind' in message ? [] : [message])));
  } catch (err) {
    // Without the links nothing can be resolved: the whole batch is retried.
    failed.fail([], 'identity links', err);
    return failedBatch(records, failed.reasons);
  }
  for (const { recordId, message } of ordered) {
    if ('kind' in message) {
      groups.addActivity(recordId, message.siteId, dayOf(message.at), statsActivity(message));
      continue;
    }
    const resolution = resolver.resolve(message);
    if (message.anonymousId && resolver.linked.has(message.anonymousId) && !linkRecords.has(message.anonymousId)) {
      linkRecords.set(message.anonymousId, [recordId]);
    }
    if (resolution === 'erased') {
      // An erased visitor: the site's trends count the event as anonymous traffic, without the person; nothing else does.
      groups.addActivity(recordId, message.siteId, dayOf(message.timestamp), eventActivity(message, false, deps.now, undefined));
      continue;
    }
    const person = resolver.personOf(message);
    groups.addActivity(
      recordId,
      message.siteId,
      dayOf(message.timestamp),
      eventActivity(message, !!resolution, deps.now, person, ignoredClaim(resolver, message, resolution)),
    );
    if (!message.signal) continue;
    if (resolution) {
      groups.addResolved(
        [recordId],
        resolution.domain,
        dayOf(message.timestamp),
        rollupEvent(message, resolution.identified, person),
      );
      continue;
    }
    unresolved++;
    // Only engaged signals wait for a link (page views never count through one).
    if (message.anonymousId && message.signal !== 'page_view') {
      groups.addPending(recordId, message);
      const waiting = unresolvedByVisitor.get(message.anonymousId) ?? [];
      waiting.push({ recordId, message });
      unresolvedByVisitor.set(message.anonymousId, waiting);
    }
  }

  const saved = await resolver.saveLinks(WRITE_CONCURRENCY);
  if (saved.refused) return 'raced';
  await resolver.saveClaims(WRITE_CONCURRENCY);
  for (const { recordId, message } of ordered) {
    if ('kind' in message) continue;
    if (
      (message.anonymousId && saved.failedVisitors.has(message.anonymousId)) ||
      (message.userHash && saved.failedUsers.has(message.userHash))
    )
      failed.fail([recordId], `identity link of ${message.anonymousId ?? message.userHash}`, 'link write failed');
  }

  // What the site days have counted already: a replayed event there was kept pending (or
  // resolved) when first counted, so it is not kept again (the site's count follows its pending
  // write, never precedes it). Read again by the counter writes below only after a lost race.
  const activityEntries = groups.activity.entries;
  const activityCounted = await store.activity
    .counted(activityEntries.map((e) => e.group))
    .catch((err) => failAll(activityEntries, failed, activityLabel, err));

  // 1. Pending events first: the links read again below must be read after these writes.
  let leftOut = 0;
  await writeAll(
    groups.pending.entries,
    failed,
    (g) => `pending events of ${g.day}`,
    async (g) => {
      leftOut += await store.rollups.addPending(
        g.day,
        g.events
          .filter((e) => !(activityCounted && store.activity.hasCounted(activityCounted, e.siteId, g.day, e.event)))
          .map((e) => e.event),
      );
    },
  );

  // 2. A visitor linked by a concurrent batch between our read and our pending write would have
  // its events stitched by neither batch: read those links again and count such visitors'
  // events as if resolved, and their pending past, here.
  const late = await resolver.reload([...unresolvedByVisitor.keys()]).catch((err) => {
    for (const entries of unresolvedByVisitor.values())
      failed.fail(
        entries.map((e) => e.recordId),
        'identity links (re-read)',
        err,
      );
    return new Map<string, string>();
  });
  for (const anonymousId of late.keys()) {
    linkRecords.set(
      anonymousId,
      (unresolvedByVisitor.get(anonymousId) ?? []).map((e) => e.recordId),
    );
    for (const { recordId, message } of unresolvedByVisitor.get(anonymousId) ?? []) {
      const resolution = resolver.resolve(message);
      if (resolution && resolution !== 'erased')
        groups.addResolved(
          [recordId],
          resolution.domain,
          dayOf(message.timestamp),
          rollupEvent(message, resolution.identified, resolver.personOf(message)),
        );
    }
  }

  const touched = new Set<string>();
  /** The records each account's writes carry: a failed re-score fails them, so SQS retries it. */
  const recordsByDomain = new Map<string, Set<string>>();
  const touch = (domain: string, recordIds: Iterable<string>) => {
    touched.add(domain);
    const domainRecords = recordsByDomain.get(domain) ?? new Set<string>();
    for (const id of recordIds) domainRecords.add(id);
    recordsByDomain.set(domain, domainRecords);
  };

  // 3. Newly linked visitors' engaged events kept while they were anonymous count for their
  // account now, as an identified person's, each under its own event id (see `pendingPasts`).
  // The account is re-scored even without any: an identify makes it known.
  const links = [...resolver.linked, ...late];
  const pasts = links.length
    ? await pendingPasts(
        store,
        links.map(([anonymousId]) => anonymousId),
        deps.now,
      ).catch((err) => {
        for (const [anonymousId] of links) failed.fail(linkRecords.get(anonymousId) ?? [], 'pending events (stitching)', err);
        return undefined;
      })
    : undefined;
  for (const [anonymousId, domain] of pasts ? links : []) {
    const recordIds = linkRecords.get(anonymousId) ?? [];
    touched.add(domain);
    for (const { day, events } of pasts?.get(anonymousId) ?? [])
      for (const e of events) groups.addResolved(recordIds, domain, day, { ...e, identified: true });
  }

  // 4. The counters, each item written once, knowing what it has counted already.
  const accountEntries = groups.accounts.entries;
  const accountsCounted = await store.rollups
    .counted(accountEntries.map((e) => e.group))
    .catch((err) => failAll(accountEntries, failed, rollupLabel, err));
  let counted = 0;
  await Promise.all([
    accountsCounted &&
      writeAll(accountEntries, failed, rollupLabel, async (group, recordIds) => {
        const added = await store.rollups.add(group, accountsCounted);
        counted += added.added;
        leftOut += added.leftOut;
        // Re-score even when every event was a duplicate: a redelivery after a failed re-score
        // must finish that re-score. An unchanged score costs reads, never a write.
        touch(group.domain, recordIds);
      }),
    activityCounted &&
      writeAll(activityEntries, failed, activityLabel, async (g) => {
        leftOut += (await store.activity.add(g.siteId, g.day, g.contributions, activityCounted)).leftOut;
      }),
  ]);

  const domains = [...touched];
  const rescored = await rescoreAccounts(domains, deps, WRITE_CONCURRENCY);
  const podMessages: PodMessage[] = [];
  rescored.forEach((result, i) => {
    if (result.status === 'fulfilled') podMessages.push(...result.value.messages);
    else failed.fail(recordsByDomain.get(domains[i] as string) ?? [], `re-score of ${domains[i]}`, result.reason);
  });

  return {
    failedRecordIds: [...failed.records],
    podMessages,
    counted,
    unresolved,
    rescored: rescored.filter((r) => r.status === 'fulfilled' && r.value.outcome === 'saved').length,
    leftOut,
    failures: failed.reasons,
    reasonByRecord: failed.reasonByRecord,
  };
}

/** Writes each group; a failed write fails exactly the records that group carries, saying which item and why. */
async function writeAll<G>(
  entries: { group: G; recordIds: Set<string> }[],
  failed: Failures,
  label: (g: G) => string,
  write: (g: G, recordIds: Set<string>) => Promise<unknown>,
) {
  const results = await settleLimited(entries, WRITE_CONCURRENCY, (e) => write(e.group, e.recordIds));
  results.forEach((r, i) => {
    const entry = entries[i];
    if (r.status === 'rejected' && entry) failed.fail(entry.recordIds, label(entry.group), r.reason);
  });
}

/** Fails every record of these groups (their items could not be read): answers undefined, so none is written. */
function failAll<G>(
  entries: { group: G; recordIds: Set<string> }[],
  failed: Failures,
  label: (g: G) => string,
  err: unknown,
): undefined {
  for (const { group, recordIds } of entries) failed.fail(recordIds, label(group), err);
  return undefined;
}

/** The identity claim of an event that resolving did not act on, for the ingestion stats' `ignored`. */
function ignoredClaim(resolver: AccountResolver, message: IngestMessage, resolution: Resolution | undefined) {
  if (resolver.quarantined.has(message.id)) return 'quarantined';
  return resolution?.userLinkKept ? 'relink' : undefined;
}

const rollupLabel = (g: RollupGroup) => `rollup ${g.domain} ${g.day}`;
const activityLabel = (g: ActivityGroup) => `site activity ${g.siteId} ${g.day}`;

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

const topicsOf = (message: IngestMessage) => (message.topics.length ? message.topics : [NO_TOPIC]);

function timeOf(message: IngestMessage | CollectorStats): string {
  return 'kind' in message ? message.at : message.timestamp;
}

import type { CollectorStats, IngestMessage } from '@intent/events';
import type { RollupGroup } from '@intent/store';
import { settleLimited } from './concurrency';
import type { IpRangeMatcher } from './ip-ranges';
import type { PodMessage } from './pod-messages';
import { rescoreAccounts } from './rescore';
import { AccountResolver, type Resolution } from './resolve';
import {
  type ActivityGroup,
  accountsToRescore,
  linkFailures,
  type PlannedWrite,
  planLateLinks,
  planRollup,
  planStitches,
  type ResolvedEvent,
  type ResolvedRecord,
} from './rollup-plan';
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

/**
 * Rolls a batch of accepted events up with one write per item touched, not per event: per
 * account x day (intent, every topic), per visitor x day for unresolved visitors' engaged events
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

  const ordered = [...records].sort((a, b) => timeOf(a.message).localeCompare(timeOf(b.message)));
  try {
    await resolver.load(ordered.flatMap(({ message }) => ('kind' in message ? [] : [message])));
  } catch (err) {
    // Without the links nothing can be resolved: the whole batch is retried.
    failed.fail([], 'identity links', err);
    return failedBatch(records, failed.reasons);
  }
  // Resolving is stateful (an identify resolves the same visitor's later events): one pass, in time order.
  const resolved = ordered.map((record): ResolvedRecord => {
    if ('kind' in record.message) return { recordId: record.recordId, message: record.message };
    return resolveEvent(resolver, record.recordId, record.message);
  });
  let plan = planRollup(resolved, deps.now);

  const saved = await resolver.saveLinks(WRITE_CONCURRENCY);
  if (saved.refused) return 'raced';
  await resolver.saveClaims(WRITE_CONCURRENCY);
  for (const { recordId, item } of linkFailures(resolved, saved.failedVisitors, saved.failedUsers))
    failed.fail([recordId], item, 'link write failed');

  // What the site days have counted already: a replayed event there was kept pending (or
  // resolved) when first counted, so it is not kept again (the site's count follows its pending
  // write, never precedes it). Read again by the counter writes below only after a lost race.
  const activityCounted = await store.activity
    .counted(plan.activity.map((e) => e.group))
    .catch((err) => failAll(plan.activity, failed, activityLabel, err));

  // 1. Pending events first: the links read again below must be read after these writes.
  let leftOut = 0;
  await writeAll(
    plan.pending,
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
  const late = await resolver.reload([...plan.waiting.keys()]).catch((err) => {
    for (const entries of plan.waiting.values())
      failed.fail(
        entries.map((e) => e.recordId),
        'identity links (re-read)',
        err,
      );
    return new Map<string, string>();
  });
  const lateResolved = [...late.keys()].flatMap((anonymousId) =>
    (plan.waiting.get(anonymousId) ?? []).map(({ recordId, message }) => resolveEvent(resolver, recordId, message)),
  );
  plan = planLateLinks(plan, late.keys(), lateResolved);

  // 3. Newly linked visitors' engaged events kept while they were anonymous count for their
  // account now, as an identified person's, each under its own event id (see `pendingPasts`).
  const links = [...resolver.linked, ...late];
  const pasts = links.length
    ? await pendingPasts(
        store,
        links.map(([anonymousId]) => anonymousId),
        deps.now,
      ).catch((err) => {
        for (const [anonymousId] of links)
          failed.fail(plan.linkRecords.get(anonymousId) ?? [], 'pending events (stitching)', err);
        return undefined;
      })
    : undefined;
  const stitchedPlan = planStitches(plan, pasts ? links : [], pasts ?? new Map());

  // 4. The counters, each item written once, knowing what it has counted already.
  const accountWrites = stitchedPlan.accounts;
  const accountsCounted = await store.rollups
    .counted(accountWrites.map((e) => e.group))
    .catch((err) => failAll(accountWrites, failed, rollupLabel, err));
  let counted = 0;
  const written: PlannedWrite<RollupGroup>[] = [];
  await Promise.all([
    accountsCounted &&
      writeAll(accountWrites, failed, rollupLabel, async (group, recordIds) => {
        const added = await store.rollups.add(group, accountsCounted);
        counted += added.added;
        leftOut += added.leftOut;
        written.push({ group, recordIds });
      }),
    activityCounted &&
      writeAll(plan.activity, failed, activityLabel, async (g) => {
        leftOut += (await store.activity.add(g.siteId, g.day, g.contributions, activityCounted)).leftOut;
      }),
  ]);

  const recordsByDomain = accountsToRescore(stitchedPlan.stitched, written);
  const domains = [...recordsByDomain.keys()];
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
    unresolved: plan.unresolved,
    rescored: rescored.filter((r) => r.status === 'fulfilled' && r.value.outcome === 'saved').length,
    leftOut,
    failures: failed.reasons,
    reasonByRecord: failed.reasonByRecord,
  };
}

/** An event as the resolver finds it now; call in time order (resolving links as it goes). */
function resolveEvent(resolver: AccountResolver, recordId: string, message: IngestMessage): ResolvedEvent {
  const resolution = resolver.resolve(message);
  return {
    recordId,
    message,
    resolution,
    person: resolver.personOf(message),
    ignored: resolution === 'erased' ? undefined : ignoredClaim(resolver, message, resolution),
    visitorLinked: !!message.anonymousId && resolver.linked.has(message.anonymousId),
  };
}

/** Writes each group; a failed write fails exactly the records that group carries, saying which item and why. */
async function writeAll<G>(
  entries: PlannedWrite<G>[],
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
function failAll<G>(entries: PlannedWrite<G>[], failed: Failures, label: (g: G) => string, err: unknown): undefined {
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

function timeOf(message: IngestMessage | CollectorStats): string {
  return 'kind' in message ? message.at : message.timestamp;
}

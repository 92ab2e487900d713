import type { Config } from '@intent/config';
import type { CollectorStats, IngestMessage } from '@intent/events';
import { NO_TOPIC } from '@intent/intent';
import type { Contribution, PendingEvent, RollupEvent, Store } from '@intent/store';
import { eventActivity, statsActivity } from './activity';
import { settleLimited } from './concurrency';
import type { IpRangeMatcher } from './ip-ranges';
import type { PodMessage } from './pod-messages';
import { rescoreAccount } from './rescore';
import { AccountResolver } from './resolve';
import { stitchVisitor } from './stitch';
import { dayOf } from './time';

export interface IngestRecord {
  /** The SQS message id: what a partial batch response names. */
  recordId: string;
  message: IngestMessage | CollectorStats;
}

export interface RollupDeps {
  store: Store;
  config: Config;
  now: Date;
  ipRanges?: IpRangeMatcher;
}

export interface RollupOutcome {
  failedRecordIds: string[];
  podMessages: PodMessage[];
  counted: number;
  unresolved: number;
  rescored: number;
}

/** DynamoDB calls in flight at once per batch: enough to hide latency, few enough not to throttle. */
const WRITE_CONCURRENCY = 8;

/** Writes of one batch, grouped by the item they go to; each remembers the records it carries. */
class Groups<G> {
  readonly byKey = new Map<string, { group: G; recordIds: Set<string> }>();
  add(key: string, recordId: string, make: () => G, fill: (g: G) => void) {
    const entry = this.byKey.get(key) ?? { group: make(), recordIds: new Set<string>() };
    fill(entry.group);
    entry.recordIds.add(recordId);
    this.byKey.set(key, entry);
  }
  get entries() {
    return [...this.byKey.values()];
  }
}

/**
 * Rolls a batch of accepted events up with one conditional write per item touched, not per
 * event: per account x topic x day (intent), per unresolved visitor x topic x day (kept for
 * stitching; engaged signals only, so anonymous page views cost no write), and per site x day
 * (trends and ingestion stats). Then it stitches newly identified visitors and re-scores each
 * touched account. A failure fails only the records it concerns; their redelivery is harmless
 * because every item ignores events it has already counted.
 */
export async function rollUp(records: IngestRecord[], deps: RollupDeps): Promise<RollupOutcome> {
  const failed = new Set<string>();
  const resolver = new AccountResolver(deps.store, deps.ipRanges);
  const accounts = new Groups<{ domain: string; day: string; topic: string; events: RollupEvent[] }>();
  const pending = new Groups<{ anonymousId: string; day: string; events: PendingEvent[] }>();
  const activity = new Groups<{ siteId: string; day: string; contributions: Contribution[] }>();
  let unresolved = 0;

  const ordered = [...records].sort((a, b) => timeOf(a.message).localeCompare(timeOf(b.message)));
  try {
    await resolver.load(ordered.flatMap(({ message }) => ('kind' in message ? [] : [message])));
  } catch {
    // Without the links nothing can be resolved: the whole batch is retried.
    return { failedRecordIds: records.map((r) => r.recordId), podMessages: [], counted: 0, unresolved: 0, rescored: 0 };
  }
  for (const { recordId, message } of ordered) {
    if ('kind' in message) {
      addActivity(activity, recordId, message.siteId, dayOf(message.at), statsActivity(message));
      continue;
    }
    let resolution: Awaited<ReturnType<AccountResolver['resolve']>>;
    try {
      resolution = await resolver.resolve(message);
    } catch {
      failed.add(recordId);
      continue;
    }
    addActivity(activity, recordId, message.siteId, dayOf(message.timestamp), eventActivity(message, !!resolution, deps.now));
    const { signal, anonymousId } = message;
    if (!signal) continue;
    if (!resolution) {
      unresolved++;
      // Only engaged signals are kept for stitching: anonymous page views cost no write.
      if (anonymousId && signal !== 'page_view') {
        const event: PendingEvent = { id: message.id, signal, topics: topicsOf(message), person: message.person };
        pending.add(`${anonymousId}|${dayOf(message.timestamp)}`, recordId, () => ({ anonymousId, day: dayOf(message.timestamp), events: [] }), (g) => g.events.push(event));
      }
      continue;
    }
    // Before a visitor identified, only what stitching keeps counts (engaged signals): the
    // same events count the same whether the identify was processed before them or after.
    if (resolution.beforeLink && signal === 'page_view') continue;
    const { domain, identified } = resolution;
    const day = dayOf(message.timestamp);
    const event: RollupEvent = { id: message.id, signal, identified, person: message.person };
    for (const topic of topicsOf(message)) {
      accounts.add(`${domain}|${day}|${topic}`, recordId, () => ({ domain, day, topic, events: [] }), (g) => g.events.push(event));
    }
  }

  const { store } = deps;
  const touched = new Set<string>();
  let counted = 0;
  await writeAll(accounts.entries, failed, async (g) => {
    counted += await store.rollups.add(g);
    // Re-score even when every event was a duplicate: a redelivery after a failed re-score
    // must finish that re-score. An unchanged score costs reads, never a write.
    touched.add(g.domain);
  });
  await writeAll(pending.entries, failed, (g) => store.rollups.addPending(g.anonymousId, g.day, g.events));
  await writeAll(activity.entries, failed, (g) => store.activity.add(g.siteId, g.day, g.contributions));
  const links = [...resolver.linked];
  await settleLimited(links, WRITE_CONCURRENCY, async ([anonymousId, domain]) => {
    await stitchVisitor(store, anonymousId, domain, deps.now);
    touched.add(domain);
  });

  const domains = [...touched];
  const rescored = await settleLimited(domains, WRITE_CONCURRENCY, (d) => rescoreAccount(d, deps));
  const podMessages: PodMessage[] = [];
  rescored.forEach((result, i) => {
    if (result.status === 'fulfilled') podMessages.push(...result.value.messages);
    else for (const { group, recordIds } of accounts.entries) if (group.domain === domains[i]) for (const id of recordIds) failed.add(id);
  });

  return {
    failedRecordIds: [...failed],
    podMessages,
    counted,
    unresolved,
    rescored: rescored.filter((r) => r.status === 'fulfilled' && r.value.outcome === 'saved').length,
  };
}

function addActivity(groups: Groups<{ siteId: string; day: string; contributions: Contribution[] }>, recordId: string, siteId: string, day: string, c: Contribution) {
  groups.add(`${siteId}|${day}`, recordId, () => ({ siteId, day, contributions: [] }), (g) => g.contributions.push(c));
}

/** Writes each group; a failed write fails exactly the records that group carries. */
async function writeAll<G>(entries: { group: G; recordIds: Set<string> }[], failed: Set<string>, write: (g: G) => Promise<unknown>) {
  const results = await settleLimited(entries, WRITE_CONCURRENCY, (e) => write(e.group));
  results.forEach((r, i) => {
    if (r.status === 'rejected') for (const id of entries[i]?.recordIds ?? []) failed.add(id);
  });
}

const topicsOf = (message: IngestMessage) => (message.topics.length ? message.topics : [NO_TOPIC]);

function timeOf(message: IngestMessage | CollectorStats): string {
  return 'kind' in message ? message.at : message.timestamp;
}

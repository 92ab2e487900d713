import type { CollectorStats, IngestMessage } from '@intent/events';
import { READ_SIGNALS, slotOf } from '@intent/intent';
import type { Contribution } from '@intent/store';

const READS = new Set<string>(READ_SIGNALS);

/**
 * What one accepted event adds to its site's daily activity: the ingestion counters, the
 * pipeline lag, and per topic its page views, reads (engaged reads, downloads, webinars),
 * reads that resolved to no account, and the person behind it (`person`, see
 * `AccountResolver.personOf`; none for an erased visitor's event, which counts as anonymous
 * traffic, in no distinct-visitor set). `ignored`: an identity claim of the event that the
 * rollup did not act on, counted in the ingestion stats' `ignored` (e.g. 'relink').
 */
export function eventActivity(
  message: IngestMessage,
  resolved: boolean,
  processedAt: Date,
  person: string | undefined,
  ignored?: string,
): Contribution {
  const counts: Record<string, number> = {
    accepted: 1,
    lagMs: Math.max(0, processedAt.getTime() - Date.parse(message.receivedAt)),
    lagN: 1,
  };
  if (ignored) counts[`ign_${ignored}`] = 1;
  const people: Record<string, string> = {};
  if (message.signal) {
    counts[`s_${message.signal}`] = 1;
    for (const topic of message.topics) {
      if (message.signal === 'page_view') counts[`pv_${topic}`] = 1;
      if (READS.has(message.signal)) {
        counts[`r_${topic}`] = 1;
        if (!resolved) counts[`u_${topic}`] = 1;
      }
      if (person) people[`v_${topic}`] = person;
    }
  }
  return { id: message.id, slot: slotOf(message.timestamp), counts, people };
}

/** The collector's rejected, dropped, ignored-topic and ignored-claim counts of one request. */
export function statsActivity(stats: CollectorStats): Contribution {
  const counts: Record<string, number> = {};
  for (const [code, n] of Object.entries(stats.rejected)) counts[`rej_${code}`] = n;
  for (const [reason, n] of Object.entries(stats.dropped)) counts[`drop_${reason}`] = n;
  if (stats.ignoredTopics) counts.ignoredTopics = stats.ignoredTopics;
  for (const [claim, n] of Object.entries(stats.ignored ?? {})) counts[`ign_${claim}`] = n;
  return { id: stats.id, slot: slotOf(stats.at), counts };
}

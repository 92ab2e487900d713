import type { Config } from '@intent/config';
import type { IngestMessage } from '@intent/events';
import { NO_TOPIC } from '@intent/intent';
import type { RollupGroup, Store } from '@intent/store';
import { settleLimited } from './concurrency';
import type { PodMessage } from './pod-messages';
import { rescoreAccount } from './rescore';
import { AccountResolver } from './resolve';
import { dayOf } from './time';

export interface IngestRecord {
  /** The SQS message id: what a partial batch response names. */
  recordId: string;
  message: IngestMessage;
}

export interface RollupDeps {
  store: Store;
  config: Config;
  now: Date;
}

export interface RollupOutcome {
  failedRecordIds: string[];
  podMessages: PodMessage[];
  counted: number;
  duplicates: number;
  unresolved: number;
  rescored: number;
}

/** DynamoDB calls in flight at once per batch: enough to hide latency, few enough not to throttle. */
const WRITE_CONCURRENCY = 8;

/**
 * Rolls a batch of accepted events up into per-account, per-topic, per-day counters (one
 * conditional write per group, not per event), then re-scores each account that changed.
 * A failure fails only the records it concerns; their redelivery is harmless because the
 * rollups ignore events they already counted.
 */
export async function rollUp(records: IngestRecord[], deps: RollupDeps): Promise<RollupOutcome> {
  const failed = new Set<string>();
  const resolver = new AccountResolver(deps.store);
  const groups = new Map<string, RollupGroup & { recordIds: Set<string> }>();
  let unresolved = 0;

  const ordered = [...records].sort((a, b) => a.message.timestamp.localeCompare(b.message.timestamp));
  for (const record of ordered) {
    const { message } = record;
    let resolution: Awaited<ReturnType<AccountResolver['resolve']>>;
    try {
      resolution = await resolver.resolve(message);
    } catch {
      failed.add(record.recordId);
      continue;
    }
    if (!resolution) {
      unresolved++;
      continue;
    }
    if (!message.signal) continue;
    const day = dayOf(message.timestamp);
    for (const topic of message.topics.length ? message.topics : [NO_TOPIC]) {
      const key = `${resolution.domain}|${day}|${topic}`;
      const group = groups.get(key) ?? { domain: resolution.domain, day, topic, events: [], recordIds: new Set() };
      group.events.push({ id: message.id, signal: message.signal, identified: resolution.identified, person: message.person });
      group.recordIds.add(record.recordId);
      groups.set(key, group);
    }
  }

  const groupList = [...groups.values()];
  const written = await settleLimited(groupList, WRITE_CONCURRENCY, (g) => deps.store.rollups.add(g));
  const touched = new Set(resolver.linked);
  let counted = 0;
  written.forEach((result, i) => {
    const group = groupList[i] as (typeof groupList)[number];
    if (result.status === 'rejected') for (const id of group.recordIds) failed.add(id);
    else {
      counted += result.value;
      // Re-score even when every event was a duplicate: a redelivery after a failed re-score
      // must finish that re-score. An unchanged score costs reads, never a write.
      touched.add(group.domain);
    }
  });

  const domains = [...touched];
  const rescored = await settleLimited(domains, WRITE_CONCURRENCY, (d) => rescoreAccount(d, deps));
  const podMessages: PodMessage[] = [];
  rescored.forEach((result, i) => {
    if (result.status === 'fulfilled') podMessages.push(...result.value.messages);
    else for (const g of groupList) if (g.domain === domains[i]) for (const id of g.recordIds) failed.add(id);
  });

  const totalEvents = groupList.reduce((n, g) => n + g.events.length, 0);
  return {
    failedRecordIds: [...failed],
    podMessages,
    counted,
    duplicates: totalEvents - counted,
    unresolved,
    rescored: rescored.filter((r) => r.status === 'fulfilled' && r.value.outcome === 'saved').length,
  };
}

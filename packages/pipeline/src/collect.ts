import { randomUUID } from 'node:crypto';
import type { Config, Site } from '@intent/config';
import {
  type CollectorStats,
  configuredTopics,
  type DropReason,
  type EventSource,
  type IgnoredClaim,
  normalizeEvent,
  packIngestBodies,
  type RejectionCode,
} from '@intent/events';

export interface CollectInput {
  site: Site;
  /** Which of the site's keys the request carried (`siteForWriteKey`). */
  source: EventSource;
  /**
   * 'forwarder': Segment's paths, whose SDKs cannot act on per-event answers, so bad events
   * are dropped (unknown names as 'unmapped', the rest as 'invalid') and counted instead.
   */
  mode?: 'collect' | 'forwarder';
  events: unknown[];
  receivedAt: Date;
  requestIp?: string;
  requestUserAgent?: string;
}

export interface Rejection {
  index: number;
  messageId?: string;
  code: RejectionCode | 'duplicate_message_id' | 'enqueue_failed';
  message: string;
}

export interface CollectResult {
  accepted: number;
  rejected: Rejection[];
  dropped: Partial<Record<DropReason | 'unmapped' | 'invalid', number>>;
  /** Topic ids the accepted events declared but do not count: not configured, or over the per-event cap. */
  ignoredTopics: number;
  /** Claims accepted events made without the right to, left out of them (`IgnoredClaim`). */
  ignored: Partial<Record<IgnoredClaim, number>>;
}

/** Sends queue message bodies; answers the indexes of those that could not be sent. */
export type Enqueue = (bodies: string[]) => Promise<number[]>;

/**
 * Validates each event of a batch on its own, enqueues the good ones (packed into as few
 * queue messages as their size allows), and reports every bad one with its index and reason:
 * one bad event never sinks its neighbours.
 */
export async function collect(input: CollectInput, config: Config, hashSecret: string, enqueue: Enqueue): Promise<CollectResult> {
  const rejected: Rejection[] = [];
  const dropped: CollectResult['dropped'] = {};
  const entries: string[] = [];
  const indexOfEntry: number[] = [];
  const seen = new Set<string>();
  const topics = configuredTopics(config.topics);
  let ignoredTopics = 0;
  const ignored: CollectResult['ignored'] = {};
  input.events.forEach((raw, index) => {
    const outcome = normalizeEvent(raw, {
      site: input.site,
      source: input.source,
      signals: config.signals,
      topics,
      receivedAt: input.receivedAt,
      hashSecret,
      requestIp: input.requestIp,
      requestUserAgent: input.requestUserAgent,
    });
    if (outcome.kind === 'rejected') {
      rejected.push({ index, messageId: outcome.messageId, code: outcome.code, message: outcome.message });
    } else if (outcome.kind === 'dropped') {
      dropped[outcome.reason] = (dropped[outcome.reason] ?? 0) + 1;
    } else if (seen.has(outcome.message.id)) {
      rejected.push({
        index,
        messageId: outcome.message.messageId,
        code: 'duplicate_message_id',
        message: 'messageId repeats an earlier event of this batch',
      });
    } else {
      seen.add(outcome.message.id);
      ignoredTopics += outcome.ignoredTopics;
      for (const claim of outcome.ignoredClaims) ignored[claim] = (ignored[claim] ?? 0) + 1;
      entries.push(JSON.stringify(outcome.message));
      indexOfEntry.push(index);
    }
  });
  if (input.mode === 'forwarder') {
    for (const r of rejected.splice(0)) {
      const reason = r.code === 'unknown_event' ? 'unmapped' : 'invalid';
      dropped[reason] = (dropped[reason] ?? 0) + 1;
    }
  }
  // Counted when the events are sent: an event whose message could not be queued still counts
  // its ignored ids here (again when the client resends it), and a stats entry lost the same
  // way under-counts. Like the rejected and dropped counts, an indicator, not a ledger.
  const stats = statsMessage(input, rejected, dropped, ignoredTopics, ignored);
  const packed = packIngestBodies(stats ? [...entries, stats] : entries);
  const failed = packed.length ? await enqueue(packed.map((p) => p.body)) : [];
  let lost = 0;
  for (const i of failed) {
    for (const entry of packed[i]?.indexes ?? []) {
      // A lost stats entry only under-counts the stats; a lost event is the caller's to resend.
      if (entry >= entries.length) continue;
      lost++;
      rejected.push({
        index: indexOfEntry[entry] as number,
        code: 'enqueue_failed',
        message: 'the event could not be queued; send it again',
      });
    }
  }
  rejected.sort((a, b) => a.index - b.index);
  return { accepted: entries.length - lost, rejected, dropped, ignoredTopics, ignored };
}

/** One message with the request's rejected, dropped and ignored counts, so the ingestion stats show them. */
function statsMessage(
  input: CollectInput,
  rejected: Rejection[],
  dropped: CollectResult['dropped'],
  ignoredTopics: number,
  ignored: CollectResult['ignored'],
): string | undefined {
  const anyIgnored = Object.keys(ignored).length > 0;
  if (!rejected.length && !Object.keys(dropped).length && !ignoredTopics && !anyIgnored) return undefined;
  const byCode: Record<string, number> = {};
  for (const r of rejected) byCode[r.code] = (byCode[r.code] ?? 0) + 1;
  const stats: CollectorStats = {
    v: 1,
    kind: 'stats',
    id: `stats:${randomUUID()}`,
    siteId: input.site.id,
    at: input.receivedAt.toISOString(),
    rejected: byCode,
    dropped: dropped as Record<string, number>,
    ...(ignoredTopics ? { ignoredTopics } : {}),
    ...(anyIgnored ? { ignored: ignored as Record<string, number> } : {}),
  };
  return JSON.stringify(stats);
}

/**
 * The site a write key belongs to, and what its events may assert: 'verified' for the site's
 * secret server write key, 'browser' for its public one.
 */
export function siteForWriteKey(config: Config, writeKey: string | undefined): { site: Site; source: EventSource } | undefined {
  if (!writeKey) return undefined;
  for (const site of config.sites.sites) {
    if (site.writeKey === writeKey) return { site, source: 'browser' };
    if (site.serverWriteKey === writeKey) return { site, source: 'verified' };
  }
  return undefined;
}

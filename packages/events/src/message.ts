import { Signal } from '@intent/config';
import { z } from 'zod';

/**
 * What the collector puts on the ingest queue: a validated, enriched event. Raw emails never
 * leave the collector (only their domain and a keyed hash); the IP travels on the queue only
 * so the consumer can resolve it against the IP-range table, and is never stored.
 */
export const IngestMessage = z.object({
  v: z.literal(1),
  /** Short keyed hash of siteId and messageId: the de-duplication id. */
  id: z.string().min(8),
  siteId: z.string(),
  messageId: z.string(),
  type: z.enum(['page', 'track', 'identify', 'group']),
  /** The signal a page or track event carries; identify and group carry none. */
  signal: Signal.optional(),
  anonymousId: z.string().optional(),
  /** Keyed hash of the userId. */
  userHash: z.string().optional(),
  /**
   * Who the event counts as in distinct-people sets: the visitor's person hash whenever the
   * event has an anonymousId (with or without a userId), else the user hash, which the rollup
   * replaces by the person of the visitor that user identified with (`AccountResolver.personOf`).
   */
  person: z.string(),
  /** ISO 8601 in UTC, as the collector writes it (`toISOString`): the day and hour are read off it. */
  timestamp: z.string().datetime(),
  receivedAt: z.string(),
  topics: z.array(z.string()),
  url: z.string().optional(),
  /** Account hints carried by identify and group calls. */
  identity: z
    .object({
      emailDomain: z.string().optional(),
      emailHash: z.string().optional(),
      domain: z.string().optional(),
      company: z.string().optional(),
    })
    .optional(),
  ip: z.string().optional(),
  /**
   * Who vouches for the event: 'verified' (the site's server write key) or 'browser' (its
   * public key, which anyone can copy). Absent in messages of collectors before it: 'browser'.
   */
  source: z.enum(['verified', 'browser']).optional(),
});
export type EventSource = 'verified' | 'browser';
export type IngestMessage = z.infer<typeof IngestMessage>;

/**
 * The collector's counts of what it rejected or dropped in one request: events that never
 * reach the queue still show in the ingestion stats. One message per request that had any.
 * `ignoredTopics`: topic ids the request's accepted events declared but do not count (not
 * configured, or beyond the per-event cap); absent in messages of collectors before it.
 */
export const CollectorStats = z.object({
  v: z.literal(1),
  kind: z.literal('stats'),
  id: z.string().min(8),
  siteId: z.string(),
  at: z.string(),
  rejected: z.record(z.string(), z.number().int().nonnegative()),
  dropped: z.record(z.string(), z.number().int().nonnegative()),
  ignoredTopics: z.number().int().nonnegative().optional(),
  /** Claims left out of accepted events, per kind (`IgnoredClaim`); absent when none. */
  ignored: z.record(z.string(), z.number().int().nonnegative()).optional(),
});
export type CollectorStats = z.infer<typeof CollectorStats>;

/** One entry of an ingest queue message: an event, or a request's stats. */
const QueueMessage = z.union([CollectorStats, IngestMessage]);
export type QueueMessage = z.infer<typeof QueueMessage>;

/**
 * The body of an ingest queue message: a collector request's entries packed together, so a
 * request of 100 events costs a few SQS messages, not 100 (SQS bills per request and 64 KiB).
 */
export const IngestBatch = z.object({
  v: z.literal(1),
  kind: z.literal('batch'),
  messages: z.array(QueueMessage).min(1),
});
export type IngestBatch = z.infer<typeof IngestBatch>;

/** An ingest queue body as consumers accept it: a batch, or one bare entry as collectors sent before batches. */
export const IngestBody = z.union([IngestBatch, QueueMessage]);

/** The entries of a parsed ingest queue body. */
export const entriesOf = (body: z.infer<typeof IngestBody>): QueueMessage[] =>
  'kind' in body && body.kind === 'batch' ? body.messages : [body];

/**
 * Bytes of a packed body at most: under the 64 KiB that SQS bills as one request, and small
 * enough that a consumer's batch stays inside Lambda's 6 MB invocation payload.
 */
export const MAX_BATCH_BODY_BYTES = 60 * 1024;

const BATCH_HEAD = '{"v":1,"kind":"batch","messages":[';
const BATCH_TAIL = ']}';

/**
 * Packs serialized entries, in order, into `IngestBatch` bodies of at most `maxBytes` (an entry
 * larger than that travels alone); answers each body with the indexes of the entries it holds.
 */
export function packIngestBodies(entries: string[], maxBytes = MAX_BATCH_BODY_BYTES): { body: string; indexes: number[] }[] {
  const bodies: { body: string; indexes: number[] }[] = [];
  let parts: string[] = [];
  let indexes: number[] = [];
  let bytes = 0;
  const flush = () => {
    if (parts.length) bodies.push({ body: `${BATCH_HEAD}${parts.join(',')}${BATCH_TAIL}`, indexes });
    parts = [];
    indexes = [];
    bytes = BATCH_HEAD.length + BATCH_TAIL.length;
  };
  flush();
  entries.forEach((entry, i) => {
    const size = Buffer.byteLength(entry) + 1;
    if (parts.length && bytes + size > maxBytes) flush();
    parts.push(entry);
    indexes.push(i);
    bytes += size;
  });
  flush();
  return bodies;
}

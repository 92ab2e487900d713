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
  /** The visitor, for distinct-people counts: hashed anonymousId, or the user hash. */
  person: z.string(),
  timestamp: z.string(),
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
});
export type IngestMessage = z.infer<typeof IngestMessage>;

/**
 * The collector's counts of what it rejected or dropped in one request: events that never
 * reach the queue still show in the ingestion stats. One message per request that had any.
 */
export const CollectorStats = z.object({
  v: z.literal(1),
  kind: z.literal('stats'),
  id: z.string().min(8),
  siteId: z.string(),
  at: z.string(),
  rejected: z.record(z.string(), z.number().int().nonnegative()),
  dropped: z.record(z.string(), z.number().int().nonnegative()),
});
export type CollectorStats = z.infer<typeof CollectorStats>;

/** Anything on the ingest queue. */
export const QueueMessage = z.union([CollectorStats, IngestMessage]);
export type QueueMessage = z.infer<typeof QueueMessage>;

import { z } from 'zod';
import { defineEntity } from './entity';
import { deliveryEventKey, deliveryStreamKey } from './keys';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One change recorded for one destination (`DEST#<id>` / `E#<domain>#<at>#<rank>#<eventId>`): what
 * is delivered, in the order it is delivered, and the state of its delivery.
 */
export const deliveryEventEntity = defineEntity({
  name: 'delivery event',
  key: (p: { destinationId: string; domain: string; at: string; rank: number; eventId: string }) =>
    deliveryEventKey(p.destinationId, p.domain, p.at, p.rank, p.eventId),
  attributes: z.object({
    pk: z.string(),
    sk: z.string(),
    eventId: z.string(),
    type: z.string(),
    domain: z.string(),
    at: z.string(),
    rank: z.number(),
    data: z.record(z.string(), z.unknown()),
    destinationId: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number(),
    recordedAt: z.string(),
    firstAttemptAt: z.string().optional(),
    nextAttemptAt: z.string().optional(),
    lastStatus: z.number().optional(),
    lastError: z.string().optional(),
    deliveredAt: z.string().optional(),
  }),
  indexes: [],
});

/** The head of one account's stream in one destination (`DEST#<id>` / `S#<domain>`). */
export const deliveryStreamEntity = defineEntity({
  name: 'delivery stream',
  key: (p: { destinationId: string; domain: string }) => deliveryStreamKey(p.destinationId, p.domain),
  attributes: z.object({
    /** The first position that may hold an undelivered event (inclusive); absent: the stream's start. */
    from: z.string().optional(),
    /** The retry wake in flight, if any: its token and when its message is due. */
    wakeToken: z.string().optional(),
    wakeHopAt: z.number().optional(),
  }),
  indexes: [],
});

import { z } from 'zod';

/**
 * A Segment-compatible subset of the event spec. Unknown fields (`integrations`, `_metadata`,
 * `channel`, `context.library`, ...) are allowed and ignored, so server-side forwarders can
 * send their payloads as they are.
 */
const Timestamp = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : Date.parse(v);
  // Date's own range is +-8.64e15 ms: beyond it a Date is invalid even for a finite number.
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    ctx.addIssue({ code: 'custom', message: 'not an ISO 8601 date-time' });
    return z.NEVER;
  }
  return new Date(ms);
});

const Traits = z
  .looseObject({
    email: z.string().max(320).optional(),
    company: z.union([z.string().max(256), z.looseObject({ name: z.string().max(256).optional() })]).optional(),
    domain: z.string().max(256).optional(),
    website: z.string().max(512).optional(),
    name: z.string().max(256).optional(),
  })
  .optional();

const Context = z
  .looseObject({
    page: z.looseObject({ url: z.string().max(4096).optional(), referrer: z.string().max(4096).optional() }).optional(),
    userAgent: z.string().max(2048).optional(),
    ip: z.string().max(64).optional(),
    consent: z
      .union([
        z.enum(['granted', 'denied', 'unknown']),
        z.boolean(),
        // Segment's consent object: { categoryPreferences: { ... } }
        z.looseObject({ categoryPreferences: z.record(z.string(), z.boolean()).optional() }),
      ])
      .optional(),
    traits: Traits,
  })
  .optional();

/** A visitor's anonymous id as events carry it: what the collector accepts, and what erasure takes. */
export const AnonymousId = z.string().min(1).max(128);

export const RawEvent = z.looseObject({
  type: z.enum(['page', 'track', 'identify', 'group']),
  messageId: z.string().min(1).max(128),
  anonymousId: AnonymousId.optional(),
  userId: z
    .union([z.string().min(1).max(256), z.number()])
    .transform(String)
    .optional(),
  groupId: z
    .union([z.string().max(256), z.number()])
    .transform(String)
    .optional(),
  timestamp: Timestamp.optional(),
  originalTimestamp: Timestamp.optional(),
  sentAt: Timestamp.optional(),
  event: z.string().min(1).max(200).optional(),
  name: z.string().max(512).optional(),
  properties: z
    .looseObject({
      // Any number of ids of any length: the request's size bounds them, and the ids that are
      // not configured (or beyond the per-event cap) are left out and counted, not refused.
      topics: z.array(z.string()).optional(),
      url: z.string().max(4096).optional(),
      title: z.string().max(1024).optional(),
      path: z.string().max(4096).optional(),
    })
    .optional(),
  traits: Traits,
  context: Context,
});
export type RawEvent = z.infer<typeof RawEvent>;

import type { Site } from '@intent/config';
import type { EventSource } from '@intent/events';
import type { Store } from '@intent/store';

/**
 * The limiter's window. A window admits two seconds' worth of the per-second limit, so a
 * client may burst up to that (a snippet flushing on page hide, a forwarder catching up) and
 * averages the limit over any whole window.
 */
export const RATE_WINDOW_MS = 2_000;
/** Counter items are kept this long after their window, then DynamoDB's TTL removes them. */
const KEEP_SECONDS = 60;

/** One limit a request draws from: `perSecond` events, counted per `bucket`. */
export interface RateBucket {
  kind: 'address' | 'key';
  bucket: string;
  perSecond: number;
}

/**
 * The buckets a request draws from, in the order they are drawn: a public-key request first
 * from its client address's bucket on the site (`addressRateLimit`), then every request from
 * its write key's (`rateLimit`; the public and the server key each have one). The address
 * comes first so that a flooding address is stopped before it spends the key's budget, which
 * the site's other visitors share. Buckets name the site and the kind of key, never the key.
 */
export function rateBuckets(site: Site, source: EventSource, address: string | undefined): RateBucket[] {
  const key: RateBucket = { kind: 'key', bucket: `key#${site.id}#${source}`, perSecond: site.rateLimit };
  if (source !== 'browser' || !address) return [key];
  return [{ kind: 'address', bucket: `addr#${site.id}#${address}`, perSecond: site.addressRateLimit }, key];
}

export type Admission = { admitted: true } | { admitted: false; kind: RateBucket['kind']; retryAfterSeconds: number };

/** The window a moment falls in, and the whole seconds until the next one starts (at least 1). */
export function rateWindowAt(nowMs: number): { window: number; retryAfterSeconds: number } {
  const window = Math.floor(nowMs / RATE_WINDOW_MS);
  return { window, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * RATE_WINDOW_MS - nowMs) / 1000)) };
}

/**
 * Admits a request of `events` events if each bucket has room for them in the current window,
 * counting them in the shared counters (one conditional write per bucket), or answers which
 * limit refused it and when to retry. A bucket admitted before a later one refused keeps the
 * count: the request was still made.
 */
export async function admit(store: Store, buckets: RateBucket[], events: number, now: Date): Promise<Admission> {
  const { window, retryAfterSeconds } = rateWindowAt(now.getTime());
  const expiresAt = Math.ceil(((window + 1) * RATE_WINDOW_MS) / 1000) + KEEP_SECONDS;
  for (const b of buckets) {
    const max = (b.perSecond * RATE_WINDOW_MS) / 1000;
    if (!(await store.rateLimits.take(b.bucket, window, events, max, expiresAt))) {
      return { admitted: false, kind: b.kind, retryAfterSeconds };
    }
  }
  return { admitted: true };
}

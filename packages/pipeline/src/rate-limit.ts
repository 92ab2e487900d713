import type { Site } from '@intent/config';
import type { EventSource } from '@intent/events';
import { perOwner, rateBucketOf, type Store } from '@intent/store';

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
  const key: RateBucket = { kind: 'key', bucket: rateBucketOf('key', site.id, source), perSecond: site.rateLimit };
  if (source !== 'browser' || !address) return [key];
  return [{ kind: 'address', bucket: rateBucketOf('address', site.id, address), perSecond: site.addressRateLimit }, key];
}

export type Admission = { admitted: true } | { admitted: false; kind: RateBucket['kind']; retryAfterSeconds: number };

/** The window a moment falls in, and the whole seconds until the next one starts (at least 1). */
export function rateWindowAt(nowMs: number): { window: number; retryAfterSeconds: number } {
  const window = Math.floor(nowMs / RATE_WINDOW_MS);
  return { window, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * RATE_WINDOW_MS - nowMs) / 1000)) };
}

/**
 * Admits a request of `events` events if each bucket has room for them in the current window,
 * counting them in the shared counters, or answers which limit refused it and when to retry. A
 * bucket admitted before a later one refused keeps the count: the request was still made. An
 * address bucket takes exactly the request's events (one conditional write); a key bucket, which
 * every request of the site draws from, takes them from this process's lease (`KeyLeases`).
 */
export async function admit(store: Store, buckets: RateBucket[], events: number, now: Date): Promise<Admission> {
  const { window, retryAfterSeconds } = rateWindowAt(now.getTime());
  const expiresAt = Math.ceil(((window + 1) * RATE_WINDOW_MS) / 1000) + KEEP_SECONDS;
  for (const b of buckets) {
    const max = (b.perSecond * RATE_WINDOW_MS) / 1000;
    const take = (n: number) => store.rateLimits.take(b.bucket, window, n, max, expiresAt);
    const admitted = b.kind === 'key' ? await leasesOf(store).take(b.bucket, window, events, max, take) : await take(events);
    if (!admitted) return { admitted: false, kind: b.kind, retryAfterSeconds };
  }
  return { admitted: true };
}

/** A lease is at most this share of a window's limit: what one process can leave unused when the window ends. */
const LEASE_SHARE = 1 / 20;

/**
 * This process's leases of key buckets: counts taken from the shared counter ahead of the
 * requests that spend them, each twice the last within a window (from the first request's
 * size, up to LEASE_SHARE of the limit), so a busy process writes the counter a few times a
 * window instead of once a request. The shared count is never passed: a lease is a conditional
 * take like any other, and when the room left is smaller than a lease the request takes exactly
 * its own events. What a process leased and did not spend is lost when the window ends, so a
 * site near its limit may be refused up to LEASE_SHARE of it per busy process. One entry per
 * key bucket (two per site), replaced when its window ends.
 */
class KeyLeases {
  private readonly leases = new Map<string, { window: number; left: number; size: number }>();

  async take(bucket: string, window: number, events: number, max: number, take: (n: number) => Promise<boolean>) {
    let lease = this.leases.get(bucket);
    if (!lease || lease.window !== window) {
      lease = { window, left: 0, size: events };
      this.leases.set(bucket, lease);
    }
    if (lease.left >= events) {
      lease.left -= events;
      return true;
    }
    const size = Math.max(events, Math.min(lease.size * 2, Math.floor(max * LEASE_SHARE)));
    if (size > events && (await take(size))) {
      lease.size = size;
      lease.left += size - events;
      return true;
    }
    return take(events);
  }
}

/** Per store: a process has one. */
const leasesOf = perOwner<Store, KeyLeases>(() => new KeyLeases());

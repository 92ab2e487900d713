import type { Site } from '@intent/config';
import { type EventSource, keyedHash } from '@intent/events';
import { perOwner, rateBucketOf, type Store } from '@intent/store';
import ipaddr from 'ipaddr.js';

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
 * the site's other visitors share. Buckets name the site and the kind of key, never the key,
 * and an address only by its keyed hash: a bucket is stored as an item's key.
 */
export function rateBuckets(site: Site, source: EventSource, address: string | undefined, hashSecret: string): RateBucket[] {
  const key: RateBucket = { kind: 'key', bucket: rateBucketOf('key', site.id, source), perSecond: site.rateLimit };
  if (source !== 'browser' || !address) return [key];
  const addressBucket = rateBucketOf('address', site.id, keyedHash(hashSecret, `ip:${limitedAddress(address)}`));
  return [{ kind: 'address', bucket: addressBucket, perSecond: site.addressRateLimit }, key];
}

/**
 * What a client address is limited as: an IPv4 address itself (an IPv4-mapped IPv6 one as the
 * IPv4 address), an IPv6 address by its /64, the block a subscriber is given and can pick
 * addresses from at will; anything else as it is.
 */
export function limitedAddress(address: string): string {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address);
  } catch {
    return address;
  }
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const prefix = parsed.toByteArray().slice(0, 8);
  return `${ipaddr.fromByteArray([...prefix, 0, 0, 0, 0, 0, 0, 0, 0]).toString()}/64`;
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
 * bucket admitted before a later one refused keeps the count: the request was still made.
 *
 * A key bucket, which every request of the site draws from, takes its events from this
 * process's lease (`KeyLeases`). An address bucket takes them from this process's share of the
 * address's window when `instances` (the most processes that can serve requests at once: the
 * collector's reserved concurrency) is known and they fit (`AddressShares`), and otherwise from
 * the shared counter with one conditional write.
 */
export async function admit(
  store: Store,
  buckets: RateBucket[],
  events: number,
  now: Date,
  instances?: number,
): Promise<Admission> {
  const { window, retryAfterSeconds } = rateWindowAt(now.getTime());
  const expiresAt = Math.ceil(((window + 1) * RATE_WINDOW_MS) / 1000) + KEEP_SECONDS;
  for (const b of buckets) {
    const max = (b.perSecond * RATE_WINDOW_MS) / 1000;
    const take = (n: number) => store.rateLimits.take(b.bucket, window, n, max, expiresAt);
    const admitted =
      b.kind === 'key'
        ? await leasesOf(store).take(b.bucket, window, events, max, take)
        : sharesOf(store).take(b.bucket, window, events, instances ? Math.floor(max / instances) : 0) || (await take(events));
    if (!admitted) return { admitted: false, kind: b.kind, retryAfterSeconds };
  }
  return { admitted: true };
}

/**
 * The most addresses one process keeps a share for in a window; a new address past it is
 * counted in the shared window only. A Lambda instance serves one request at a time, a few
 * hundred in a window; the local stack's one process serves them all.
 */
const MAX_ADDRESS_SHARES = 10_000;

/**
 * This process's shares of address buckets: each process may admit up to `share` events of an
 * address in a window without writing the shared counter, where `share` is the window's limit
 * over the most processes that can run at once. However an address's requests spread, it
 * gets at most its limit from the shared counter and one share from each process: twice its
 * limit in a window at the most, and its limit plus one share when one process serves it. A
 * visitor's beacon (a few events, its address's only request in the window) fits its share,
 * so it costs no write; a flooding address spends its shares on its first requests, then each
 * request writes. A request that does not fit whole takes nothing from the share.
 */
class AddressShares {
  private window = Number.NEGATIVE_INFINITY;
  private readonly spent = new Map<string, number>();

  take(bucket: string, window: number, events: number, share: number): boolean {
    // A request of a window the process has moved past is counted in the shared window.
    if (window < this.window) return false;
    if (window > this.window) {
      this.window = window;
      this.spent.clear();
    }
    const spent = this.spent.get(bucket);
    if (spent === undefined && this.spent.size >= MAX_ADDRESS_SHARES) return false;
    if ((spent ?? 0) + events > share) return false;
    this.spent.set(bucket, (spent ?? 0) + events);
    return true;
  }
}

/** Per store: a process has one. */
const sharesOf = perOwner<Store, AddressShares>(() => new AddressShares());

/** A lease is at most this share of a window's limit: what one process can leave unused when the window ends. */
const LEASE_SHARE = 1 / 20;

/** One key bucket's lease in this process, for one window. */
interface Lease {
  window: number;
  /** Events leased and not yet spent. */
  left: number;
  /** The last lease's size: the next is twice it. */
  size: number;
  /** The lease being taken, which this process's other requests wait for rather than take their own. */
  taking?: Promise<boolean>;
  /** A lease did not fit the room left: the window's requests take exactly their own events from now on. */
  short: boolean;
}

/**
 * This process's leases of key buckets: counts taken from the shared counter ahead of the
 * requests that spend them, each twice the last within a window (from the first request's
 * size, up to LEASE_SHARE of the limit), so a busy process writes the counter a few times a
 * window instead of once a request. One lease is taken at a time: the process's concurrent
 * requests wait for the one in flight and spend from it, so what is leased and unspent is at
 * most one lease. The shared count is never passed: a lease is a conditional take like any
 * other, and once a lease does not fit the room left, requests take exactly their own events.
 * What a process leased and did not spend is lost when the window ends, so a site near its
 * limit may be refused up to LEASE_SHARE of it per busy process. One entry per key bucket
 * (two per site), replaced when its window ends.
 */
class KeyLeases {
  private readonly leases = new Map<string, Lease>();

  async take(bucket: string, window: number, events: number, max: number, take: (n: number) => Promise<boolean>) {
    for (;;) {
      let lease = this.leases.get(bucket);
      // A request of a window the process has moved past takes its own events, as a lease there is spent.
      if (lease && lease.window > window) return take(events);
      if (!lease || lease.window < window) {
        lease = { window, left: 0, size: events, short: false };
        this.leases.set(bucket, lease);
      }
      if (lease.left >= events) {
        lease.left -= events;
        return true;
      }
      if (lease.taking) {
        // Its outcome (or its error) is the leasing request's; this one looks again.
        await lease.taking.catch(() => false);
        continue;
      }
      const size = Math.max(events, Math.min(lease.size * 2, Math.floor(max * LEASE_SHARE)));
      if (lease.short || size <= events) return take(events);
      const current = lease;
      current.taking = take(size);
      try {
        if (await current.taking) {
          current.size = size;
          current.left += size;
        } else current.short = true;
      } finally {
        current.taking = undefined;
      }
    }
  }
}

/** Per store, as the shares. */
const leasesOf = perOwner<Store, KeyLeases>(() => new KeyLeases());

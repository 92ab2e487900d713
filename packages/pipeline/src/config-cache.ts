import type { Config } from '@intent/config';
import type { Store } from '@intent/store';
import { IpRangeMatcher } from './ip-ranges';

/**
 * A value read at most once per `ttlMs` per warm function: a change (a PUT to /v1/config,
 * new IP ranges) reaches every function within that time without a read on every request.
 */
class Cached<T> {
  private value?: { data: T; at: number };

  constructor(
    private readonly load: () => Promise<T>,
    private readonly ttlMs: number,
  ) {}

  async get(nowMs = Date.now()): Promise<T> {
    if (!this.value || nowMs - this.value.at > this.ttlMs) this.value = { data: await this.load(), at: nowMs };
    return this.value.data;
  }

  invalidate(): void {
    this.value = undefined;
  }
}

/** Configuration, re-read every 5 s at most. */
export class ConfigCache extends Cached<Config> {
  constructor(store: Store, ttlMs = 5_000) {
    super(() => store.config.getAll(), ttlMs);
  }
}

/** The IP-range table as a matcher, re-read every 60 s at most. */
export class IpRangeCache extends Cached<IpRangeMatcher> {
  constructor(store: Store, ttlMs = 60_000) {
    super(async () => new IpRangeMatcher(await store.ipRanges.list()), ttlMs);
  }
}

/**
 * The erased visitors, per warm function: the whole register once, then before each batch only
 * its entries from `overlapMs` before the previous read on (read consistently), so an erasure
 * reaches the next batch without a read per visitor. The overlap covers clock skew between
 * the function that erased and this one, and writes in flight while the previous read ran.
 */
export class ErasedVisitorCache {
  private readonly ids = new Set<string>();
  private lastReadAt?: number;

  constructor(
    private readonly store: Store,
    private readonly overlapMs = 5 * 60_000,
  ) {}

  async get(nowMs = Date.now()): Promise<ReadonlySet<string>> {
    const since = this.lastReadAt === undefined ? undefined : new Date(this.lastReadAt - this.overlapMs).toISOString();
    for (const anonymousId of await this.store.identity.erasedSince(since)) this.ids.add(anonymousId);
    this.lastReadAt = nowMs;
    return this.ids;
  }
}

import { keyedHash } from '@intent/events';
import { rateBuckets } from '@intent/pipeline';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { limitedAddress, RATE_WINDOW_MS, rateWindowAt } from '../../packages/pipeline/src/rate-limit';
import { defaultConfig } from '../default-config';

const SECRET = 'test-hash-secret';
const site = { ...defaultConfig().sites.sites[0]!, rateLimit: 1_000, addressRateLimit: 100 };

describe('rate limit buckets and windows', () => {
  it('draws a public-key request from its address first, then its key; a server-key request from its key alone', () => {
    expect(rateBuckets(site, 'browser', '203.0.113.9', SECRET)).toEqual([
      { kind: 'address', bucket: `addr#dev#${keyedHash(SECRET, 'ip:203.0.113.9')}`, perSecond: 100 },
      { kind: 'key', bucket: 'key#dev#browser', perSecond: 1_000 },
    ]);
    expect(rateBuckets(site, 'verified', '203.0.113.9', SECRET)).toEqual([
      { kind: 'key', bucket: 'key#dev#verified', perSecond: 1_000 },
    ]);
  });

  it('never names the write key or the client address itself in a bucket (buckets are stored as item keys)', () => {
    for (const source of ['browser', 'verified'] as const) {
      for (const b of rateBuckets({ ...site, serverWriteKey: 'swk_secret_0123456789abcdef' }, source, '203.0.113.9', SECRET)) {
        expect(b.bucket).not.toContain(site.writeKey);
        expect(b.bucket).not.toContain('swk_secret');
        expect(b.bucket).not.toContain('203.0.113');
      }
    }
    const [a] = rateBuckets(site, 'browser', '203.0.113.9', SECRET);
    const [b] = rateBuckets(site, 'browser', '203.0.113.10', SECRET);
    expect(a?.bucket).not.toBe(b?.bucket);
  });

  it('limits an IPv6 client by its /64, which it can pick addresses from, and an IPv4-mapped one as its IPv4 address', () => {
    expect(limitedAddress('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(limitedAddress('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(limitedAddress('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(limitedAddress('203.0.113.9')).toBe('203.0.113.9');
    expect(limitedAddress('not an address')).toBe('not an address');
    const bucketOf = (address: string) => rateBuckets(site, 'browser', address, SECRET)[0]?.bucket;
    expect(bucketOf('2001:db8:1:2::1')).toBe(bucketOf('2001:db8:1:2:ffff::9'));
    expect(bucketOf('2001:db8:1:2::1')).not.toBe(bucketOf('2001:db8:1:3::1'));
  });

  it('asks a refused client to retry when the next window starts, in whole seconds, at least one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), (now) => {
        const { window, retryAfterSeconds } = rateWindowAt(now);
        expect(window * RATE_WINDOW_MS).toBeLessThanOrEqual(now);
        expect(rateWindowAt(now + retryAfterSeconds * 1000).window).toBe(window + 1);
        expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
        expect(retryAfterSeconds).toBeLessThanOrEqual(RATE_WINDOW_MS / 1000);
      }),
      { numRuns: 1000 },
    );
  });
});

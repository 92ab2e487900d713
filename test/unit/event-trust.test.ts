import { type EventSource, normalizeEvent } from '@intent/events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../default-config';

const config = defaultConfig();
const base = config.sites.sites[0]!;
const REQUEST_IP = '192.0.2.1';

const claim = fc.record({
  type: fc.constantFrom('identify' as const, 'group' as const),
  domain: fc.constantFrom('acme.example', 'www.bigbank.example', 'initech.example'),
  email: fc.option(fc.constantFrom('ann@umbrella.example', 'bob@gmail.com'), { nil: undefined }),
  ip: fc.option(fc.constantFrom('203.0.113.9', '2001:db8::1'), { nil: undefined }),
});

type Claim = typeof claim extends fc.Arbitrary<infer T> ? T : never;

function normalize(e: Claim, source: EventSource, trustBrowserTraits: boolean) {
  const outcome = normalizeEvent(
    {
      type: e.type,
      messageId: 'm-1',
      anonymousId: 'v-1',
      traits: { domain: e.domain, ...(e.email ? { email: e.email } : {}) },
      ...(e.ip ? { context: { ip: e.ip } } : {}),
    },
    {
      site: { ...base, trustBrowserTraits },
      source,
      signals: config.signals,
      topics: new Set(),
      receivedAt: new Date(),
      hashSecret: 's',
      requestIp: REQUEST_IP,
    },
  );
  if (outcome.kind !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('what an event may assert, by the key it came with', () => {
  it('a public-key event never carries its own context.ip, and a browser’s domain claims only where the site trusts them', () => {
    fc.assert(
      fc.property(claim, fc.boolean(), (e, trusted) => {
        const { message, ignoredClaims } = normalize(e, 'browser', trusted);
        expect(message.ip).toBe(REQUEST_IP);
        expect(message.source).toBe('browser');
        expect(ignoredClaims.includes('ip')).toBe(e.ip !== undefined);
        if (trusted) expect(message.identity?.domain).toBeDefined();
        else {
          expect(message.identity?.domain).toBeUndefined();
          if (e.type === 'group') expect(message.identity).toBeUndefined();
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a server-key event carries its context.ip and its domain claims, and is verified', () => {
    fc.assert(
      fc.property(claim, (e) => {
        const { message, ignoredClaims } = normalize(e, 'verified', false);
        expect(message.ip).toBe(e.ip ?? REQUEST_IP);
        expect(message.identity?.domain).toBeDefined();
        expect(message.source).toBe('verified');
        expect(ignoredClaims).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});

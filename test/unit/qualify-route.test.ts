import { PodsSection } from '@intent/config';
import type { Firmographics } from '@intent/fit';
import { matchesEveryAccount, routeToPod } from '@intent/qualify';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('routeToPod', () => {
  const { pods } = PodsSection.parse({
    pods: [
      { id: 'na-enterprise', name: 'NA enterprise', match: { countries: ['US', 'CA'], employees: { min: 1000 } } },
      { id: 'strategic', name: 'Named accounts', match: { domains: ['bigbank.example'] } },
      {
        id: 'dach-fin',
        name: 'DACH finance',
        match: { countries: ['DE', 'AT', 'CH'], industries: ['Financial Services'], regions: [] },
      },
      { id: 'catch-all', name: 'Everyone else', match: {} },
    ],
  });

  it.each([
    [{ domain: 'bigus.com', country: 'US', employees: 5000 }, 'na-enterprise'],
    [{ domain: 'bigbank.example', country: 'GB' }, 'strategic'],
    [{ domain: 'emea.bigbank.example' }, 'strategic'],
    [{ domain: 'notbigbank.example' }, 'catch-all'],
    [{ domain: 'bank.de', country: 'DE', industry: 'financial services' }, 'dach-fin'],
    [{ domain: 'small.com', country: 'US', employees: 50 }, 'catch-all'],
    // Unknown employee count fails the constrained field rather than guessing.
    [{ domain: 'who.com', country: 'US' }, 'catch-all'],
  ] as [Firmographics, string][])('routes %j to %s', (account, pod) => {
    expect(routeToPod(account, pods)).toBe(pod);
  });

  it('lets the first matching pod win when several match', () => {
    // bigbank.example in the US with 20,000 employees matches na-enterprise, strategic and catch-all.
    expect(routeToPod({ domain: 'bigbank.example', country: 'US', employees: 20000 }, pods)).toBe('na-enterprise');
  });

  it('answers undefined when no pod matches', () => {
    expect(routeToPod({ domain: 'x.com', country: 'FR' }, pods.slice(0, 3))).toBeUndefined();
  });

  it('picks exactly one pod: the first one that matches on its own', () => {
    const accountArb = fc.record(
      {
        domain: fc.constantFrom('a.com', 'bigbank.example', 'eu.bigbank.example'),
        country: fc.constantFrom('US', 'CA', 'DE', 'FR'),
        industry: fc.constantFrom('financial services', 'software'),
        employees: fc.integer({ min: 0, max: 50000 }),
      },
      { requiredKeys: ['domain'] },
    );
    fc.assert(
      fc.property(accountArb, fc.shuffledSubarray(pods), (account, subset) => {
        const got = routeToPod(account, subset);
        const first = subset.find((p) => routeToPod(account, [p]) === p.id);
        expect(got).toBe(first?.id);
        if (subset.some((p) => p.id === 'catch-all')) expect(typeof got).toBe('string');
      }),
    );
  });

  it('tells a pod that takes every account from one with any criterion', () => {
    expect(pods.map((p) => matchesEveryAccount(p.match))).toEqual([false, false, false, true]);
    expect(matchesEveryAccount({ countries: [], employees: {} })).toBe(true);
    expect(matchesEveryAccount({ revenueUsd: { max: 0 } })).toBe(false);
  });
});

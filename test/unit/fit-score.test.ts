import { IcpSection } from '@intent/config';
import { type Firmographics, scoreFit } from '@intent/fit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIT_WEIGHTS } from '../../packages/fit/src/score';
import { CONTRACT_ICP } from './contract-icp';

const icp = (raw: unknown = {}) => IcpSection.parse(raw);
// The example ICP of the public contract.
const IDEAL: Firmographics = {
  domain: 'acme.com',
  employees: 1200,
  revenueUsd: 150e6,
  industry: 'Software',
  country: 'US',
  techStack: ['snowflake'],
};

describe('scoreFit: hard exclusions', () => {
  it.each([
    ['rival.example', /rival\.example/],
    ['eu.rival.example', /excluded domain rival\.example/],
    ['gmail.com', /free-mail/],
    ['ox.ac.uk', /academic/],
  ])('scores %s 0, tier D, excluded, naming the exclusion', (domain, why) => {
    const fit = scoreFit({ ...IDEAL, domain }, CONTRACT_ICP);
    expect(fit).toMatchObject({ score: 0, tier: 'D', excluded: true });
    expect(fit.reasons.some((r) => r.criterion === 'exclusion' && r.status === 'excluded' && why.test(r.message))).toBe(true);
  });

  it('excludes an excluded industry whatever else matches', () => {
    const fit = scoreFit({ ...IDEAL, industry: 'Education' }, CONTRACT_ICP);
    expect(fit).toMatchObject({ score: 0, tier: 'D', excluded: true });
    expect(fit.reasons[0]?.message).toMatch(/industry Education is excluded/);
  });

  it('excludes even when no ICP criteria are configured', () => {
    expect(scoreFit({ domain: 'hotmail.com' }, icp()).excluded).toBe(true);
  });

  it('lets free-mail and student domains through when those exclusions are switched off', () => {
    const open = icp({ exclude: { freeMail: false, students: false } });
    expect(scoreFit({ domain: 'gmail.com' }, open).excluded).toBe(false);
    expect(scoreFit({ domain: 'mit.edu' }, open).excluded).toBe(false);
  });

  it('does not exclude a domain that merely ends with the same letters', () => {
    expect(scoreFit({ ...IDEAL, domain: 'notrival.example' }, CONTRACT_ICP).excluded).toBe(false);
  });
});

describe('scoreFit: criteria', () => {
  it('gives tier B with the reason "no ICP configured yet" when the ICP is empty', () => {
    const fit = scoreFit({ domain: 'acme.com' }, icp());
    expect(fit).toEqual({
      score: 60,
      tier: 'B',
      excluded: false,
      reasons: [{ criterion: 'icp', status: 'matched', message: 'no ICP configured yet' }],
    });
  });

  it('scores an account matching every criterion 100, tier A', () => {
    const fit = scoreFit(IDEAL, CONTRACT_ICP);
    expect(fit).toMatchObject({ score: 100, tier: 'A', excluded: false });
    expect(fit.reasons.filter((r) => r.status === 'failed')).toEqual([]);
    expect(fit.reasons.some((r) => r.status === 'bonus' && /snowflake/.test(r.message))).toBe(true);
  });

  it('scores an account with no firmographics on what is known and names every unknown criterion', () => {
    const fit = scoreFit({ domain: 'mystery.io' }, CONTRACT_ICP);
    // Every configured criterion unknown earns half its weight.
    expect(fit.score).toBe(50);
    expect(fit.tier).toBe('C');
    const messages = fit.reasons.map((r) => r.message).join(' ');
    expect(messages).toMatch(/Employee count unknown/);
    expect(messages).toMatch(/Annual revenue unknown/);
    expect(messages).toMatch(/Industry unknown/);
    expect(messages).toMatch(/Country unknown/);
    expect(fit.reasons.every((r) => r.status === 'unknown')).toBe(true);
  });

  it('mixes known and unknown: matched weight plus half the unknown weight over all configured weight', () => {
    const fit = scoreFit({ domain: 'acme.com', industry: 'software', employees: 50 }, CONTRACT_ICP);
    const w = FIT_WEIGHTS;
    const total = w.employees + w.revenueUsd + w.industry + w.country;
    expect(fit.score).toBe(Math.round((100 * (w.industry + 0.5 * (w.revenueUsd + w.country))) / total));
    expect(fit.reasons[0]).toMatchObject({ criterion: 'employees', status: 'failed' });
    expect(fit.reasons[0]?.message).toBe('50 employees is outside the ICP range of 200-10,000.');
  });

  it('fails a required technology that is missing and names it', () => {
    const needsDbt = icp({ techStack: { required: ['snowflake', 'dbt'] } });
    const fit = scoreFit({ domain: 'acme.com', techStack: ['snowflake'] }, needsDbt);
    expect(fit.score).toBe(0);
    expect(fit.reasons).toEqual([{ criterion: 'techStack', status: 'failed', message: 'Missing required technology: dbt.' }]);
  });

  it('adds a few bonus points per favoured technology, capped, never above 100', () => {
    const base = icp({ industries: ['software'], countries: ['US'], techStack: { bonus: ['snowflake', 'dbt', 'looker'] } });
    const without = scoreFit({ domain: 'a.com', industry: 'software', country: 'FR' }, base);
    const withAll = scoreFit(
      { domain: 'a.com', industry: 'software', country: 'FR', techStack: ['snowflake', 'dbt', 'looker'] },
      base,
    );
    expect(withAll.score - without.score).toBe(10);
    expect(scoreFit({ domain: 'a.com', industry: 'software', country: 'US', techStack: ['dbt'] }, base).score).toBe(100);
  });

  it('uses the configured tier thresholds', () => {
    const strict = icp({ industries: ['software'], countries: ['US'], tiers: { A: 95, B: 70, C: 50 } });
    // industry 20 matched + country 15 unknown (7.5) of 35 = 79
    expect(scoreFit({ domain: 'a.com', industry: 'software' }, strict)).toMatchObject({ score: 79, tier: 'B' });
    expect(scoreFit({ domain: 'a.com', industry: 'software' }, icp({ industries: ['software'], countries: ['US'] })).tier).toBe(
      'B',
    );
  });
});

const account = fc.record(
  {
    domain: fc.constantFrom('acme.com', 'beta.io', 'gamma.de'),
    employees: fc.integer({ min: 0, max: 100000 }),
    revenueUsd: fc.integer({ min: 0, max: 2e9 }),
    industry: fc.constantFrom('software', 'financial services', 'retail', 'manufacturing'),
    country: fc.constantFrom('US', 'GB', 'DE', 'FR', 'JP'),
    techStack: fc.subarray(['snowflake', 'dbt', 'oracle']),
  },
  { requiredKeys: ['domain'] },
);

describe('scoreFit: properties', () => {
  it('always gives an integer score 0-100 and the tier its thresholds imply', () => {
    fc.assert(
      fc.property(account, (a) => {
        const fit = scoreFit(a, CONTRACT_ICP);
        expect(Number.isInteger(fit.score)).toBe(true);
        expect(fit.score).toBeGreaterThanOrEqual(0);
        expect(fit.score).toBeLessThanOrEqual(100);
        const t = CONTRACT_ICP.tiers;
        const tier = fit.score >= t.A ? 'A' : fit.score >= t.B ? 'B' : fit.score >= t.C ? 'C' : 'D';
        expect(fit.tier).toBe(tier);
      }),
    );
  });

  it('learning a matching value never lowers the score; learning a failing one never raises it', () => {
    fc.assert(
      fc.property(account, fc.constantFrom('employees', 'revenueUsd', 'industry', 'country' as const), (a, key) => {
        const unknown = { ...a, [key]: undefined };
        const known = scoreFit(a, CONTRACT_ICP);
        const reason = known.reasons.find((r) => r.criterion === key);
        const before = scoreFit(unknown, CONTRACT_ICP).score;
        if (reason?.status === 'matched') expect(known.score).toBeGreaterThanOrEqual(before);
        if (reason?.status === 'failed') expect(known.score).toBeLessThanOrEqual(before);
      }),
    );
  });
});

import { defaultSection, IcpSection, SlaSection } from '@intent/config';
import { type Firmographics, type Fit, scoreFit } from '@intent/fit';
import {
  type AccountIntent,
  explainAccount,
  type Hold,
  OUTCOMES,
  priority,
  routeToPod,
  type Stage,
  salesReadiness,
} from '@intent/qualify';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTRACT_ICP } from './contract-icp';

const ICP = CONTRACT_ICP;
const SLA = SlaSection.parse({});
const NOW = new Date('2024-06-15T12:00:00Z');
const STAGES: Stage[] = ['cold', 'aware', 'engaged', 'surging', 'hand_raiser'];

function intent(stage: Stage, score: number, lastDay = '2024-06-14'): AccountIntent {
  return {
    stage,
    score,
    topics: [{ topic: 'pipeline', score, velocity: 2, stage, reads: 3, people: 2, lastDay, daily: [] }],
    explanation: [`Intent ${score} on pipeline.`],
  };
}
const fitOf = (score: number, tier: Fit['tier'] = 'B'): Fit => ({ score, tier, reasons: [], excluded: false });

const stageArb = fc.constantFrom(...STAGES);
const scoreArb = fc.double({ min: 0, max: 100, noNaN: true });
const intentArb = fc.tuple(stageArb, scoreArb).map(([s, n]) => intent(s, n));
const holdArb: fc.Arbitrary<Hold> = fc.record(
  {
    outcome: fc.constantFrom(...OUTCOMES),
    outcomeAt: fc.constantFrom('2023-01-01T00:00:00Z', '2024-06-10T09:00:00Z'),
  },
  { requiredKeys: [] },
);

describe('the DOMAIN scenarios', () => {
  // A junior analyst at a 10-person startup downloading every whitepaper.
  const startup: Firmographics = {
    domain: 'tinystartup.io',
    employees: 10,
    revenueUsd: 400000,
    industry: 'software',
    country: 'US',
  };

  it('a 10-person startup outside the ICP is never sales-ready, whatever its intent', () => {
    const fit = scoreFit(startup, ICP);
    expect(ICP.salesReadyTiers).not.toContain(fit.tier);
    fc.assert(
      fc.property(intentArb, holdArb, (i, hold) => {
        const r = salesReadiness(fit, i, ICP, SLA, hold, NOW);
        expect(r.salesReady).toBe(false);
        expect(r.reasons.join(' ')).toMatch(/not one of the sales-ready tiers/);
      }),
    );
  });

  it('a competitor on an excluded domain is tier D, never sales-ready and has priority 0', () => {
    const fit = scoreFit(
      { domain: 'sales.rival.example', employees: 5000, revenueUsd: 1e9, industry: 'software', country: 'US' },
      ICP,
    );
    expect(fit).toMatchObject({ tier: 'D', excluded: true });
    fc.assert(
      fc.property(intentArb, (i) => {
        expect(salesReadiness(fit, i, ICP, SLA, {}, NOW).salesReady).toBe(false);
        expect(priority(fit, i)).toBe(0);
      }),
    );
  });

  it('engagement alone never makes an account sales-ready, even at tier A', () => {
    fc.assert(
      fc.property(fc.constantFrom<Stage>('cold', 'aware', 'engaged'), scoreArb, (stage, score) => {
        const r = salesReadiness(fitOf(100, 'A'), intent(stage, score), ICP, SLA, {}, NOW);
        expect(r.salesReady).toBe(false);
      }),
    );
    const r = salesReadiness(fitOf(100, 'A'), intent('engaged', 99), ICP, SLA, {}, NOW);
    expect(r.reasons[0]).toMatch(/^Engagement alone/);
  });

  it('with an intent threshold (icp.salesReadyIntent), a surge on thin evidence waits until intent reaches it', () => {
    const gated = { ...ICP, salesReadyIntent: 30 };
    const thin = salesReadiness(fitOf(90, 'A'), intent('surging', 29.9), gated, SLA, {}, NOW);
    expect(thin.salesReady).toBe(false);
    expect(thin.reasons[0]).toBe('Intent score 29.9 is below the sales-ready threshold of 30.');
    const enough = salesReadiness(fitOf(90, 'A'), intent('surging', 30), gated, SLA, {}, NOW);
    expect(enough.salesReady).toBe(true);
    expect(enough.reasons).toContain('Intent score 30 reaches the sales-ready threshold of 30.');
    // No threshold (the default): no sentence about it.
    expect(salesReadiness(fitOf(90, 'A'), intent('surging', 1), ICP, SLA, {}, NOW).reasons.join(' ')).not.toMatch(/threshold/);
  });

  it('a well-fitting account that surges or raises a hand is sales-ready, with the reasons why', () => {
    const fit = scoreFit({ domain: 'bigco.com', employees: 3000, revenueUsd: 2e8, industry: 'software', country: 'US' }, ICP);
    const surging = salesReadiness(fit, intent('surging', 40), ICP, SLA, {}, NOW);
    expect(surging).toEqual({
      salesReady: true,
      reasons: [
        `Fit tier A (score ${fit.score}) is one of the sales-ready tiers (A and B).`,
        'Intent is surging on pipeline: several reads on one topic in a short window.',
      ],
    });
    expect(salesReadiness(fit, intent('hand_raiser', 10), ICP, SLA, {}, NOW).salesReady).toBe(true);
  });

  it('a fresh stack (no ICP, default pod) makes a hand-raiser sales-ready and routes it to "default"', () => {
    const icp = defaultSection('icp');
    const fit = scoreFit({ domain: 'acme.com' }, icp);
    expect(fit.tier).toBe('B');
    expect(salesReadiness(fit, intent('hand_raiser', 20), icp, SLA, {}, NOW).salesReady).toBe(true);
    expect(routeToPod({ domain: 'acme.com' }, defaultSection('pods').pods)).toBe('default');
  });
});

describe('priority', () => {
  it('for equal intent, the better fit gets the higher priority', () => {
    fc.assert(
      fc.property(intentArb, fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (i, a, b) => {
        fc.pre(a !== b);
        const [lo, hi] = a < b ? [a, b] : [b, a];
        expect(priority(fitOf(hi), i)).toBeGreaterThan(priority(fitOf(lo), i));
      }),
    );
  });

  it('is monotone in the intent score for a fixed fit and stage', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), stageArb, scoreArb, scoreArb, (f, stage, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(priority(fitOf(f), intent(stage, hi))).toBeGreaterThanOrEqual(priority(fitOf(f), intent(stage, lo)));
      }),
    );
  });

  it('stays within 0-100 with one decimal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), intentArb, (f, i) => {
        const p = priority(fitOf(f), i);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(100);
        expect(Math.round(p * 10) / 10).toBe(p);
      }),
    );
  });

  it('is the stage band plus 0.3 x (0.6 intent + 0.4 fit), and intent outweighs fit within a band', () => {
    expect(priority(fitOf(100, 'A'), intent('hand_raiser', 100))).toBe(100);
    expect(priority(fitOf(0), intent('hand_raiser', 0))).toBe(70);
    expect(priority(fitOf(60), intent('engaged', 80))).toBe(41.6); // 20 + 0.3 * (48 + 24)
    expect(priority(fitOf(80), intent('surging', 50))).toBe(58.6); // 40 + 0.3 * (30 + 32)
    expect(priority(fitOf(90), intent('aware', 10))).toBe(13.6); // 1 + 0.3 * (6 + 36)
    expect(priority(fitOf(90), intent('cold', 0))).toBe(10.8); // 0 + 0.3 * 36
    // Intent outweighs fit: +10 intent beats +10 fit.
    expect(priority(fitOf(50), intent('surging', 70))).toBeGreaterThan(priority(fitOf(60), intent('surging', 60)));
  });

  it('for equal fit a higher stage always ranks higher, whatever the intent scores', () => {
    // A cold account has intent 0: nothing in the window scores (see the intent properties).
    const scoreOf = (stage: Stage, n: number) => (stage === 'cold' ? 0 : n);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), stageArb, stageArb, scoreArb, scoreArb, (f, a, b, x, y) => {
        fc.pre(a !== b);
        const [lo, hi] = STAGES.indexOf(a) < STAGES.indexOf(b) ? [a, b] : [b, a];
        expect(priority(fitOf(f), intent(hi, scoreOf(hi, x)))).toBeGreaterThan(priority(fitOf(f), intent(lo, scoreOf(lo, y))));
      }),
    );
  });

  it('fit never lets a surge outrank a hand-raise: the two queue bands do not overlap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), scoreArb, scoreArb, (fh, fs, x, y) => {
        expect(priority(fitOf(fh), intent('hand_raiser', x))).toBeGreaterThanOrEqual(70);
        expect(priority(fitOf(fs), intent('surging', y))).toBeLessThanOrEqual(70);
        // Strictly, unless the hand-raiser has neither intent nor fit (a hand-raise always carries intent).
        if (x >= 1 || fh >= 1)
          expect(priority(fitOf(fh), intent('hand_raiser', x))).toBeGreaterThan(priority(fitOf(fs), intent('surging', y)));
      }),
    );
  });
});

describe('salesReadiness: feedback holds', () => {
  const fit = fitOf(90, 'A');
  const ready = (hold: Hold, now: Date, lastIntentDay?: string, i = intent('surging', 70)) =>
    salesReadiness(fit, i, ICP, SLA, hold, now, lastIntentDay);

  it.each(['opportunity', 'closed_won', 'closed_lost'] as const)('a terminal outcome (%s) holds the account back', (outcome) => {
    const r = ready({ outcome, outcomeAt: '2024-06-01T10:00:00Z' }, NOW);
    expect(r.salesReady).toBe(false);
    expect(r.reasons[0]).toMatch(/opportunity|customer|closed lost/);
  });

  it.each(['accepted', 'meeting', 'bant_qualified'] as const)('a non-terminal outcome (%s) does not hold it back', (outcome) => {
    expect(ready({ outcome, outcomeAt: '2024-06-01T10:00:00Z' }, NOW).salesReady).toBe(true);
  });

  const rejected: Hold = { outcome: 'rejected', outcomeAt: '2024-05-01T15:30:00Z' };

  it('holds a rejected account during the cool-off, even with fresh intent', () => {
    const r = ready(rejected, new Date('2024-05-20T00:00:00Z'), '2024-05-19');
    expect(r.salesReady).toBe(false);
    expect(r.reasons[0]).toBe('Sales rejected the account on 2024-05-01; the 30-day cool-off runs until 2024-05-31.');
  });

  it('after the cool-off, still holds it without intent newer than the rejection day', () => {
    const after = new Date('2024-06-05T00:00:00Z');
    expect(ready(rejected, after, '2024-04-28').salesReady).toBe(false);
    const sameDay = ready(rejected, after, '2024-05-01');
    expect(sameDay.salesReady).toBe(false);
    expect(sameDay.reasons[0]).toMatch(/no intent newer than the rejection/);
  });

  it('after the cool-off, releases it once newer intent arrives', () => {
    const r = ready(rejected, new Date('2024-06-05T00:00:00Z'), '2024-06-02');
    expect(r.salesReady).toBe(true);
    expect(r.reasons).toContain(
      'Sales rejected the account on 2024-05-01; the cool-off is over and new intent arrived on 2024-06-02.',
    );
  });

  it('takes the latest topic day as the last intent day when none is passed', () => {
    const after = new Date('2024-06-05T00:00:00Z');
    expect(ready(rejected, after, undefined, intent('surging', 70, '2024-06-03')).salesReady).toBe(true);
    expect(ready(rejected, after, undefined, intent('surging', 70, '2024-04-30')).salesReady).toBe(false);
  });

  it('honours a custom cool-off and treats a rejection without a date as still holding', () => {
    const short = SlaSection.parse({ rejectCooloffDays: 3 });
    expect(
      salesReadiness(fit, intent('surging', 70), ICP, short, rejected, new Date('2024-05-05T00:00:00Z'), '2024-05-04').salesReady,
    ).toBe(true);
    expect(ready({ outcome: 'rejected' }, NOW, '2024-06-14').salesReady).toBe(false);
  });

  it('respects the configured sales-ready tiers', () => {
    const onlyA = IcpSection.parse({ ...ICP, salesReadyTiers: ['A'] });
    expect(salesReadiness(fitOf(70, 'B'), intent('hand_raiser', 90), onlyA, SLA, {}, NOW).salesReady).toBe(false);
  });
});

describe('explainAccount', () => {
  it('reads verdict first, then readiness, intent and fit, without repeats', () => {
    const fit = scoreFit({ domain: 'bigco.com', employees: 3000, industry: 'software', country: 'US' }, ICP);
    const i = intent('surging', 70);
    const readiness = salesReadiness(fit, i, ICP, SLA, {}, NOW);
    const lines = explainAccount(fit, i, readiness, 'na-enterprise');
    expect(lines[0]).toBe('Sales-ready and routed to pod na-enterprise.');
    expect(lines.slice(1, 1 + readiness.reasons.length)).toEqual(readiness.reasons);
    const at = (s: string) => lines.indexOf(s);
    expect(at('Intent 70 on pipeline.')).toBeGreaterThan(at(readiness.reasons.at(-1) ?? ''));
    expect(at(`Fit: tier ${fit.tier}, score ${fit.score} of 100.`)).toBeGreaterThan(at('Intent 70 on pipeline.'));
    expect(lines).toContain('Annual revenue unknown; the ICP asks for at least $20M in revenue.');
    expect(new Set(lines).size).toBe(lines.length);
  });

  it('says why an excluded account is not sales-ready', () => {
    const fit = scoreFit({ domain: 'rival.example' }, ICP);
    const i = intent('hand_raiser', 95);
    const lines = explainAccount(fit, i, salesReadiness(fit, i, ICP, SLA, {}, NOW));
    expect(lines[0]).toBe('Not sales-ready yet.');
    expect(lines[1]).toMatch(/^The account is excluded from the ICP\. rival\.example is excluded/);
  });
});

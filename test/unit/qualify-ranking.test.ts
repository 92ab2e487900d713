import { defaultSection, SIGNALS, type Signal, type SignalsConfig } from '@intent/config';
import { type Firmographics, scoreFit } from '@intent/fit';
import { type DailyRollup, NO_TOPIC, scoreIntent } from '@intent/intent';
import { priority } from '@intent/qualify';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayNumber, dayString } from '../../packages/intent/src/days';
import { CONTRACT_ICP } from './contract-icp';

/**
 * The queue order the product promises, end to end: daily rollups through scoreIntent, firmographics
 * through scoreFit, both through priority. For equal fit: an identified hand-raise > a surging
 * buying committee > one person surging > engaged > aware, and intent that went quiet ranks below
 * all of them.
 */

const TODAY = '2025-03-10';
const TODAY_NUM = dayNumber(TODAY) as number;
const signals = defaultSection('signals');
const day = (age: number): string => dayString(TODAY_NUM - age);

const ICP = CONTRACT_ICP;
const tierA: Firmographics = { domain: 'bigco.com', employees: 3000, industry: 'software', country: 'US' };
const tierB: Firmographics = { domain: 'midco.com', employees: 3000, industry: 'software', country: 'FR' };

/** One reader event per entry: [person, age, signal, identified?]; rolled up per topic-day like the store. */
type Read = [person: string, age: number, signal?: Signal, identified?: boolean];
function rollups(topic: string, reads: Read[]): DailyRollup[] {
  const byAge = new Map<number, DailyRollup>();
  for (const [person, age, signal = 'content_read', identified = false] of reads) {
    const r = byAge.get(age) ?? { day: day(age), topic, counts: {}, identified: {}, people: [] };
    r.counts[signal] = (r.counts[signal] ?? 0) + 1;
    if (identified) r.identified[signal] = (r.identified[signal] ?? 0) + 1;
    if (!r.people.includes(person)) r.people.push(person);
    byAge.set(age, r);
  }
  return [...byAge.values()];
}

/** `people` each reading in turn, `total` reads spread evenly from `from` days ago to `to` days ago. */
function committee(people: number, total: number, from: number, to: number): Read[] {
  return Array.from({ length: total }, (_, i) => [`p${i % people}`, to + Math.round(((from - to) * i) / Math.max(total - 1, 1))]);
}

const SCENARIOS = {
  // An identified person reads two articles, then requests a demo.
  demoRequest: rollups('pipeline', [
    ['d', 5],
    ['d', 3],
    ['d', 2, 'demo_request', true],
  ]),
  // A VP reads one article and later looks at pricing while identified: no form fill.
  vpPricing: rollups('forecasting', [
    ['v', 6],
    ['v', 3, 'pricing_view', true],
  ]),
  // Five people, 21 reads on one topic in the last 9 days.
  committee5: rollups('warehousing', committee(5, 21, 8, 0)),
  // Three people, 9 reads in the last 10 days.
  committee3: rollups('warehousing', committee(3, 9, 10, 1)),
  // One heavy reader: 7 reads on one topic.
  singleReader7: rollups('warehousing', committee(1, 7, 10, 0)),
  // One person surging: 4 reads on one topic in the last 6 days.
  singleReader4: rollups('warehousing', committee(1, 4, 6, 1)),
  // Two reads: engaged, short of a surge.
  engaged: rollups('warehousing', [
    ['e', 4],
    ['e', 2],
  ]),
  // Thirty page views, no reads.
  aware: rollups(
    NO_TOPIC,
    Array.from({ length: 30 }, (_, i): Read => ['a', i % 10, 'page_view']),
  ),
  // The same five-person committee, 25 days ago: outside the 14-day window.
  staleCommittee: rollups('warehousing', committee(5, 21, 25, 25)),
};

function rank(firmographics: Firmographics) {
  const fit = scoreFit(firmographics, ICP);
  return Object.fromEntries(
    Object.entries(SCENARIOS).map(([name, r]) => {
      const intent = scoreIntent(r, signals, TODAY);
      return [name, { stage: intent.stage, intent: intent.score, priority: priority(fit, intent) }];
    }),
  ) as Record<keyof typeof SCENARIOS, { stage: string; intent: number; priority: number }>;
}

describe('queue order for equal fit (scoreIntent + scoreFit + priority)', () => {
  it('scores the scenarios as documented in the READMEs', () => {
    expect(scoreFit(tierA, ICP)).toMatchObject({ tier: 'A', score: 88 });
    expect(rank(tierA)).toEqual({
      demoRequest: { stage: 'hand_raiser', intent: 33.3, priority: 86.6 },
      vpPricing: { stage: 'hand_raiser', intent: 20, priority: 84.2 },
      committee5: { stage: 'surging', intent: 93.1, priority: 67.3 },
      committee3: { stage: 'surging', intent: 55, priority: 60.5 },
      singleReader7: { stage: 'surging', intent: 34.7, priority: 56.8 },
      singleReader4: { stage: 'surging', intent: 22.9, priority: 54.7 },
      engaged: { stage: 'engaged', intent: 12.4, priority: 32.8 },
      aware: { stage: 'aware', intent: 60.7, priority: 22.5 },
      staleCommittee: { stage: 'cold', intent: 0, priority: 10.6 },
    });
  });

  it('ranks hand-raise > surging committee > single surging reader > engaged > aware > stale', () => {
    const r = rank(tierA);
    const order = (Object.keys(r) as (keyof typeof r)[]).sort((a, b) => r[b].priority - r[a].priority);
    expect(order).toEqual([
      'demoRequest',
      'vpPricing',
      'committee5',
      'committee3',
      'singleReader7',
      'singleReader4',
      'engaged',
      'aware',
      'staleCommittee',
    ]);
  });

  it('a stale committee ranks well below any account surging now, and below the weakest surge by 40 points or more', () => {
    const r = rank(tierA);
    expect(r.staleCommittee.priority).toBeLessThanOrEqual(r.singleReader4.priority - 40);
  });

  it('fit still orders accounts of equal intent, and never lifts a surge above a hand-raise', () => {
    const a = rank(tierA);
    const b = rank(tierB);
    expect(scoreFit(tierB, ICP)).toMatchObject({ tier: 'B', score: 71 });
    for (const name of Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[]) {
      expect(a[name].intent).toBe(b[name].intent);
      expect(a[name].priority).toBeGreaterThan(b[name].priority);
    }
    // Tier B hand-raisers still outrank tier A committees.
    expect(b.vpPricing.priority).toBeGreaterThan(a.committee5.priority);
  });
});

describe('queue order properties', () => {
  const TOPICS = [NO_TOPIC, 'a', 'b', 'c'];
  const PEOPLE = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];

  const signalsArb: fc.Arbitrary<SignalsConfig> = fc
    .record({
      weights: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: SIGNALS.length, maxLength: SIGNALS.length }),
      handRaise: fc.subarray([...SIGNALS], { minLength: 1 }),
      windowDays: fc.integer({ min: 1, max: 30 }),
      halfLifeDays: fc.integer({ min: 1, max: 60 }),
      surgeReads: fc.integer({ min: 1, max: 6 }),
    })
    .map(({ weights, ...rest }) => ({
      ...rest,
      eventMap: {},
      weights: Object.fromEntries(SIGNALS.map((s, i) => [s, weights[i] ?? 0])) as Record<Signal, number>,
    }));

  const rollupArb: fc.Arbitrary<DailyRollup> = fc
    .record({
      age: fc.integer({ min: 0, max: 95 }),
      topic: fc.constantFrom(...TOPICS),
      counts: fc.dictionary(fc.constantFrom(...SIGNALS), fc.integer({ min: 0, max: 6 }), { maxKeys: 4 }),
      identifiedAll: fc.boolean(),
      people: fc.subarray(PEOPLE, { maxLength: 5 }),
    })
    .map(({ age, topic, counts, identifiedAll, people }) => ({
      day: day(age),
      topic,
      counts,
      identified: identifiedAll ? { ...counts } : {},
      people,
    }));

  const firmographicsArb: fc.Arbitrary<Firmographics> = fc.record({
    domain: fc.constantFrom('acme.com', 'bigco.com', 'tiny.io'),
    employees: fc.option(fc.integer({ min: 1, max: 50000 }), { nil: undefined }),
    revenueUsd: fc.option(fc.integer({ min: 0, max: 1e10 }), { nil: undefined }),
    industry: fc.option(fc.constantFrom('software', 'financial services', 'retail'), { nil: undefined }),
    country: fc.option(fc.constantFrom('US', 'GB', 'FR', 'BR'), { nil: undefined }),
  });

  it('for equal fit, a hand-raiser outranks any surging-only account, whatever else either did', () => {
    fc.assert(
      fc.property(
        signalsArb,
        fc.array(rollupArb, { maxLength: 12 }),
        fc.array(rollupArb, { maxLength: 12 }),
        firmographicsArb,
        fc.nat(),
        fc.nat(),
        fc.constantFrom(...TOPICS),
        (signals, aRollups, bRollups, firmographics, pick, raiseAge, raiseTopic) => {
          // A: anything, plus one identified hand-raise in the window.
          const signal = signals.handRaise[pick % signals.handRaise.length] as Signal;
          const raise: DailyRollup = {
            day: day(raiseAge % signals.windowDays),
            topic: raiseTopic,
            counts: { [signal]: 1 },
            identified: { [signal]: 1 },
            people: ['x'],
          };
          const a = scoreIntent([...aRollups, raise], signals, TODAY);
          // B: anything without an identified hand-raise, plus a surge on topic 'a' today (as
          // many readers and reads as you like on top).
          const strip = (r: DailyRollup): DailyRollup => ({
            ...r,
            identified: Object.fromEntries(
              Object.entries(r.identified).filter(([s]) => !signals.handRaise.includes(s as Signal)),
            ),
          });
          const surge: DailyRollup = {
            day: TODAY,
            topic: 'a',
            counts: { content_read: signals.surgeReads },
            identified: {},
            people: PEOPLE,
          };
          const b = scoreIntent([...bRollups.map(strip), surge], signals, TODAY);
          expect(a.stage).toBe('hand_raiser');
          expect(b.stage).toBe('surging');

          const fit = scoreFit(firmographics, ICP);
          fc.pre(!fit.excluded);
          expect(priority(fit, a)).toBeGreaterThan(priority(fit, b));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('among sales-ready fits (tier A or B), no fit difference lets a surge outrank a hand-raise', () => {
    fc.assert(
      fc.property(firmographicsArb, firmographicsArb, fc.array(rollupArb, { maxLength: 12 }), (fa, fb, extra) => {
        const fitA = scoreFit(fa, ICP);
        const fitB = scoreFit(fb, ICP);
        fc.pre(ICP.salesReadyTiers.includes(fitA.tier) && ICP.salesReadyTiers.includes(fitB.tier));
        const raiser = scoreIntent([...extra, ...SCENARIOS.vpPricing], signals, TODAY);
        const surging = scoreIntent(
          [...extra.filter((r) => Object.keys(r.identified).length === 0), ...SCENARIOS.committee5],
          signals,
          TODAY,
        );
        fc.pre(surging.stage === 'surging');
        expect(priority(fitA, raiser)).toBeGreaterThan(priority(fitB, surging));
      }),
      { numRuns: 300 },
    );
  });
});

import { type CalibrationPush, calibrate, PushEvidence, pushEvidence } from '@intent/calibration';
import { defaultSection, IcpSection, SIGNALS, type Signal, type SignalsConfig, SlaSection } from '@intent/config';
import { scoreFit } from '@intent/fit';
import { intentScoreOf, scoreIntent, type TopicSignals, topicSignals } from '@intent/intent';
import { priority, salesReadiness } from '@intent/qualify';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wouldPush } from '../../packages/calibration/src/backtest';
import { MAX_EVIDENCE_TECH, MAX_EVIDENCE_TOPICS } from '../../packages/calibration/src/evidence';
import { liftOverBase } from '../../packages/calibration/src/stats';
import { dayNumber, dayString } from '../../packages/intent/src/days';

const SIGNALS_CONFIG = defaultSection('signals');
/** The current ICP: size, industry and country; the country turns out to predict nothing. */
const ICP = IcpSection.parse({
  employees: { min: 200, max: 10_000 },
  industries: ['software', 'financial services'],
  countries: ['US'],
});
const CURRENT = { signals: SIGNALS_CONFIG, icp: ICP };

/** A seeded PRNG (mulberry32): the same seed, the same pushes. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), chance: (p: number) => next() < p };
}

/**
 * `count` pushes whose outcomes follow a planted rule: a push with a webinar registration is
 * accepted three times as often as one without (45% against 15%); whether the account is in
 * the US (an ICP criterion) changes nothing. Every other signal is noise.
 */
function plantedPushes(count: number, seed: number): CalibrationPush[] {
  const r = rng(seed);
  const start = Date.parse('2026-06-01T00:00:00Z');
  return Array.from({ length: count }, (_, i) => {
    const webinar = r.chance(0.35);
    const counts: Partial<Record<Signal, number>> = {
      content_read: r.int(3, 6),
      page_view: r.int(0, 8),
      ...(webinar && { webinar_registration: r.int(1, 2) }),
      ...(r.chance(0.3) && { pricing_view: 1 }),
      ...(r.chance(0.4) && { content_download: r.int(1, 4) }),
    };
    const fade = 0.5 + r.next() / 2;
    const topic: TopicSignals = {
      topic: 'data-warehousing',
      stage: counts.pricing_view ? 'hand_raiser' : 'surging',
      people: r.int(1, 5),
      counts,
      identified: counts.pricing_view ? { pricing_view: 1 } : {},
      verified: {},
      decayed: Object.fromEntries(Object.entries(counts).map(([s, n]) => [s, n * fade])),
    };
    const firmographics = {
      domain: `account-${i}.example`,
      employees: r.int(300, 5000),
      industry: r.chance(0.5) ? 'software' : 'financial services',
      country: r.chance(0.5) ? 'US' : 'GB',
    };
    const fit = scoreFit(firmographics, ICP);
    const score = intentScoreOf([topic], SIGNALS_CONFIG);
    const intent = { stage: topic.stage, score, topics: [], explanation: [] };
    const accepted = r.chance(webinar ? 0.45 : 0.15);
    const won = accepted && r.chance(0.3);
    return {
      podId: 'default',
      domain: firmographics.domain,
      pushedAt: new Date(start + i * 3_600_000).toISOString(),
      evidence: pushEvidence({
        fit,
        intent,
        priority: priority(fit, intent),
        topics: [topic],
        firmographics,
        signals: SIGNALS_CONFIG,
      }),
      firstOutcome: accepted ? 'accepted' : 'rejected',
      outcomes: accepted ? ['accepted', ...(won ? (['closed_won'] as const) : [])] : ['rejected'],
      ...(!accepted && { rejectReason: r.chance(0.5) ? 'No budget' : 'Student project' }),
    };
  });
}

describe('calibration on a planted rule (600 pushes)', () => {
  it.each([1, 2, 3])('finds the planted signal, clears the dead criterion and backtests better (seed %i)', (seed) => {
    const pushes = plantedPushes(600, seed);
    // The current ICP pushes every one of them: they are all tier A or B.
    expect(pushes.every((p) => wouldPush(p.evidence as PushEvidence, CURRENT))).toBe(true);
    const report = calibrate(pushes, CURRENT);

    const [first] = report.features;
    expect(first?.feature).toBe('signal:webinar_registration');
    expect(first?.lift.low).toBeGreaterThan(1);
    expect(first?.lift.verdict).toBe('higher');

    const country = report.features.find((f) => f.feature === 'icp:country');
    expect(country?.n).toBeGreaterThanOrEqual(200);
    expect(country?.lift.low).toBeLessThanOrEqual(1);
    expect(country?.lift.high).toBeGreaterThanOrEqual(1);
    expect(country?.lift.verdict).toBe('no_difference');

    const { current, proposed } = report.backtest;
    expect(report.backtest.split).toMatchObject({ train: 420, test: 180 });
    expect(current.pushed).toEqual({ value: 180, n: 180 });
    expect(proposed.acceptanceRate.value).toBeGreaterThan(current.acceptanceRate.value as number);
    expect(proposed.rejectedSpared.value).toBeGreaterThan(0);
    expect(report.proposal.signals.weights.webinar_registration).toBeGreaterThan(SIGNALS_CONFIG.weights.webinar_registration);
    expect(report.proposal.icp.salesReadyIntent).toBeGreaterThan(0);
    expect(report.proposal.changes.every((c) => /n=|pushes/.test(c.reason))).toBe(true);
    // The proposal is in the shape of the sections it replaces.
    expect(IcpSection.parse(report.proposal.icp)).toEqual(report.proposal.icp);
  });

  it('counts outcomes, rejections by reason and win rates with their n', () => {
    const report = calibrate(plantedPushes(600, 1), CURRENT);
    const { outcomes } = report;
    expect(outcomes.pushed).toBe(600);
    expect(outcomes.decided).toBe(600);
    expect(outcomes.accepted + outcomes.rejected.count).toBe(600);
    expect(Object.keys(outcomes.rejected.byReason).sort()).toEqual(['no budget', 'student project']);
    expect(outcomes.acceptanceRate).toEqual({ value: Math.round((outcomes.accepted / 600) * 1e4) / 1e4, n: 600 });
    const webinar = report.features.find((f) => f.feature === 'signal:webinar_registration');
    expect(webinar?.winRate?.n).toBe(outcomes.closed_won > 0 ? webinar?.winRate?.n : undefined);
    for (const f of report.features) expect(f.n).toBeLessThanOrEqual(f.pushes);
  });

  it('says "insufficient" instead of a number below the minimum sample', () => {
    const report = calibrate(plantedPushes(40, 1), CURRENT);
    expect(report.features.every((f) => f.lift.verdict === 'insufficient' && f.lift.value === null)).toBe(true);
    expect(report.proposal.changes).toEqual([]);
    // Nor does it lower a threshold it has no evidence against.
    const gated = { signals: SIGNALS_CONFIG, icp: { ...ICP, salesReadyIntent: 12 } };
    expect(calibrate(plantedPushes(40, 1), gated).proposal.icp.salesReadyIntent).toBe(12);
  });
});

describe('lift over the base rate', () => {
  it('is the feature rate over the base rate, with an interval that excludes 1 only on clear evidence', () => {
    const lift = liftOverBase({ n: 100, accepted: 60 }, { n: 100, accepted: 20 });
    expect(lift.value).toBe(1.5);
    expect(lift.low).toBeGreaterThan(1);
    expect(lift.high).toBeGreaterThan(lift.value as number);
    expect(liftOverBase({ n: 100, accepted: 30 }, { n: 100, accepted: 28 }).verdict).toBe('no_difference');
    expect(liftOverBase({ n: 100, accepted: 5 }, { n: 100, accepted: 40 }).verdict).toBe('lower');
    expect(liftOverBase({ n: 29, accepted: 29 }, { n: 500, accepted: 10 }).verdict).toBe('insufficient');
    // A zero cell still gives a finite interval.
    const all = liftOverBase({ n: 40, accepted: 40 }, { n: 40, accepted: 10 });
    expect(Number.isFinite(all.high)).toBe(true);
  });

  it('always contains its estimate, and excludes 1 on the side of the estimate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 30, max: 300 }), fc.integer({ min: 30, max: 300 }), fc.nat(), fc.nat(), (n1, n0, a, c) => {
        const lift = liftOverBase({ n: n1, accepted: a % (n1 + 1) }, { n: n0, accepted: c % (n0 + 1) });
        if (lift.value === null) return;
        expect(lift.low as number).toBeLessThanOrEqual(lift.value + 1e-3);
        expect(lift.high as number).toBeGreaterThanOrEqual(lift.value - 1e-3);
        if (lift.verdict === 'higher') expect(lift.value).toBeGreaterThan(1);
        if (lift.verdict === 'lower') expect(lift.value).toBeLessThan(1);
      }),
      { numRuns: 300 },
    );
  });
});

describe('what a push knew', () => {
  const TODAY = '2026-06-15';
  const day = (age: number) => dayString((dayNumber(TODAY) as number) - age);
  /** Rollup cells of the last two weeks: up to `maxCount` of `maxSignals` signals each, some identified. */
  const cells = (maxCount: number, maxSignals: number, people: string[], maxLength: number) =>
    fc.array(
      fc.record({
        age: fc.integer({ min: 0, max: 13 }),
        topic: fc.constantFrom('a', 'b', '-'),
        counts: fc.dictionary(fc.constantFrom(...SIGNALS), fc.integer({ min: 0, max: maxCount }), { maxKeys: maxSignals }),
        identify: fc.boolean(),
        people: fc.subarray(people),
      }),
      { maxLength },
    );

  it('recomputes the intent score exactly from the snapshot, under any weights', () => {
    fc.assert(
      fc.property(
        cells(5, 4, ['p1', 'p2', 'p3', 'p4'], 12),
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 6, maxLength: 6 }),
        (rows, w) => {
          const rollups = rows.map((r) => ({
            day: day(r.age),
            topic: r.topic,
            counts: r.counts,
            identified: {},
            people: r.people,
          }));
          const other: SignalsConfig = {
            ...SIGNALS_CONFIG,
            weights: Object.fromEntries(SIGNALS.map((s, i) => [s, w[i] ?? 0])) as never,
          };
          const topics = topicSignals(rollups, SIGNALS_CONFIG, TODAY);
          // Both are rounded to one decimal: at a rounding boundary they differ by one step (0.1, give or take a float's last bit).
          expect(Math.abs(intentScoreOf(topics, other) - scoreIntent(rollups, other, TODAY).score)).toBeLessThanOrEqual(
            0.1 + 1e-9,
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('judges a snapshot as the live rule judged the account: the backtest of the configuration it was pushed under keeps it', () => {
    const sla = SlaSection.parse({});
    fc.assert(
      fc.property(
        cells(3, 3, ['p1', 'p2', 'p3'], 10),
        fc.record({ employees: fc.integer({ min: 10, max: 20_000 }), country: fc.constantFrom('US', 'GB') }),
        fc.integer({ min: 0, max: 60 }),
        (rows, firm, threshold) => {
          const rollups = rows.map((r) => ({
            day: day(r.age),
            topic: r.topic,
            counts: r.counts,
            identified: r.identify ? r.counts : {},
            people: r.people,
          }));
          const icp = { ...ICP, salesReadyIntent: threshold };
          const firmographics = { domain: 'x.example', industry: 'software', ...firm };
          const fit = scoreFit(firmographics, icp);
          const intent = scoreIntent(rollups, SIGNALS_CONFIG, TODAY);
          // One decimal of rounding apart: at the threshold itself the two may differ.
          fc.pre(Math.abs(intent.score - threshold) > 0.1);
          const live = salesReadiness(fit, intent, icp, sla, {}, new Date(`${TODAY}T12:00:00Z`)).salesReady;
          const topics = topicSignals(rollups, SIGNALS_CONFIG, TODAY);
          const e = pushEvidence({
            fit,
            intent,
            priority: priority(fit, intent),
            topics,
            firmographics,
            signals: SIGNALS_CONFIG,
          });
          expect(wouldPush(e, { signals: SIGNALS_CONFIG, icp })).toBe(live);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stays bounded however much the account did', () => {
    const counts = Object.fromEntries(SIGNALS.map((s) => [s, 123456.789])) as Record<Signal, number>;
    const topics: TopicSignals[] = Array.from({ length: 100 }, (_, i) => ({
      topic: `topic-${String(i).padStart(57, 'x')}`,
      stage: 'hand_raiser',
      people: 9999,
      counts,
      identified: counts,
      verified: counts,
      decayed: counts,
    }));
    const long = 'x'.repeat(200);
    const firmographics = {
      domain: `${'d'.repeat(60)}.example`,
      name: long,
      industry: long,
      region: long,
      growthStage: long,
      crmId: 'c'.repeat(128),
      techStack: Array.from({ length: 500 }, (_, i) => `${long.slice(0, 190)}${i}`),
    };
    const fit = scoreFit(firmographics, ICP);
    const intent = { stage: 'hand_raiser' as const, score: 99, topics: [], explanation: [] };
    const e = pushEvidence({ fit, intent, priority: 99, topics, firmographics, signals: SIGNALS_CONFIG });
    expect(e.topics).toHaveLength(MAX_EVIDENCE_TOPICS);
    expect(e.firmographics.techStack).toHaveLength(MAX_EVIDENCE_TECH);
    expect(e.handRaise).toBe('verified');
    expect(PushEvidence.parse(e)).toEqual(e);
    expect(new TextEncoder().encode(JSON.stringify(e)).length).toBeLessThan(32 * 1024);
  });
});

import type { PushRecord } from '@intent/store';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignmentByPod, alignmentMetrics, median } from '../../packages/pipeline/src/metrics';

const NOW = new Date('2024-06-10T12:00:00.000Z');
const SLA = { firstTouchHours: 24, feedbackHours: 48 };
const hoursBefore = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
const at = (pushedAt: string, hoursLater: number) => new Date(Date.parse(pushedAt) + hoursLater * 3_600_000).toISOString();

function push(
  domain: string,
  ageHours: number,
  fields: { claimAfter?: number; feedbackAfter?: number; outcome?: PushRecord['outcome'] } = {},
): PushRecord {
  const pushedAt = hoursBefore(ageHours);
  return {
    podId: 'p',
    domain,
    pushedAt,
    ...(fields.claimAfter !== undefined && { firstClaimAt: at(pushedAt, fields.claimAfter) }),
    ...(fields.feedbackAfter !== undefined && {
      firstFeedbackAt: at(pushedAt, fields.feedbackAfter),
      outcome: fields.outcome ?? 'accepted',
    }),
  };
}

describe('alignment metrics', () => {
  it('answers zeros and nulls, not NaN, when nothing was pushed', () => {
    expect(alignmentMetrics([], SLA, NOW)).toEqual({
      pushed: 0,
      claimed: 0,
      withFeedback: 0,
      accepted: 0,
      rejected: 0,
      acceptanceRate: null,
      medianHoursToClaim: null,
      medianHoursToFeedback: null,
      feedbackWithinSlaRate: null,
      slaBreaches: 0,
      breaches: { firstTouch: 0, feedback: 0 },
      outcomes: {},
    });
  });

  it('computes acceptance, speed to claim, feedback within SLA and breaches on a scripted week', () => {
    const m = alignmentMetrics(
      [
        push('fast.example', 100, { claimAfter: 2, feedbackAfter: 10, outcome: 'accepted' }),
        push('slow.example', 100, { claimAfter: 30, feedbackAfter: 50, outcome: 'rejected' }),
        push('ignored.example', 72),
        push('fresh.example', 1),
      ],
      SLA,
      NOW,
    );
    expect(m).toMatchObject({ pushed: 4, claimed: 2, withFeedback: 2, accepted: 1, rejected: 1, acceptanceRate: 0.25 });
    expect(m.medianHoursToClaim).toBe(16);
    expect(m.medianHoursToFeedback).toBe(30);
    // Due: fast and slow (feedback given) and ignored (72 h > 48 h); fresh is still inside its window.
    expect(m.feedbackWithinSlaRate).toBe(0.3333);
    // First touch: slow (30 h > 24 h), ignored (none after 72 h). Feedback: slow (50 h), ignored.
    expect(m.breaches).toEqual({ firstTouch: 2, feedback: 2 });
    expect(m.slaBreaches).toBe(4);
  });

  it('counts every first verdict but rejected as accepted, including lost deals', () => {
    const outcomes = ['accepted', 'meeting', 'bant_qualified', 'opportunity', 'closed_won', 'closed_lost', 'rejected'] as const;
    const m = alignmentMetrics(
      outcomes.map((o, i) => push(`${i}.example`, 5, { feedbackAfter: 1, outcome: o })),
      SLA,
      NOW,
    );
    expect(m.accepted).toBe(6);
    expect(m.rejected).toBe(1);
    expect(m.outcomes).toMatchObject({ closed_lost: 1, rejected: 1 });
  });

  it('takes the first touch as the earlier of claim and feedback, and a time on the deadline as within it', () => {
    const touchedByFeedback = alignmentMetrics([push('a.example', 100, { claimAfter: 40, feedbackAfter: 20 })], SLA, NOW);
    expect(touchedByFeedback.breaches.firstTouch).toBe(0);
    const onTheDeadline = alignmentMetrics([push('b.example', 100, { claimAfter: 24, feedbackAfter: 48 })], SLA, NOW);
    expect(onTheDeadline).toMatchObject({ slaBreaches: 0, feedbackWithinSlaRate: 1 });
    const notYetDue = alignmentMetrics([push('c.example', 23)], SLA, NOW);
    expect(notYetDue).toMatchObject({ slaBreaches: 0, feedbackWithinSlaRate: null });
    const touchOverdue = alignmentMetrics([push('d.example', 25)], SLA, NOW);
    expect(touchOverdue.breaches).toEqual({ firstTouch: 1, feedback: 0 });
  });

  it('adds every pod’s pushes into the overall numbers', () => {
    const { overall, pods } = alignmentByPod(
      {
        na: [push('a.example', 3, { claimAfter: 1, feedbackAfter: 2 })],
        emea: [push('b.example', 3, { claimAfter: 3 })],
        idle: [],
      },
      SLA,
      NOW,
    );
    expect(pods.idle?.pushed).toBe(0);
    expect(overall).toMatchObject({ pushed: 2, claimed: 2, accepted: 1, acceptanceRate: 0.5, medianHoursToClaim: 2 });
  });

  it('keeps counts and rates within their bounds for any pushes', () => {
    const pushArb = fc.record({
      age: fc.double({ min: 0, max: 2000, noNaN: true }),
      claimAfter: fc.option(fc.double({ min: 0, max: 200, noNaN: true }), { nil: undefined }),
      feedbackAfter: fc.option(fc.double({ min: 0, max: 200, noNaN: true }), { nil: undefined }),
      outcome: fc.constantFrom('accepted', 'rejected', 'meeting', 'closed_won' as const),
    });
    fc.assert(
      fc.property(fc.array(pushArb, { maxLength: 30 }), (specs) => {
        const pushes = specs.map((s, i) =>
          push(`${i}.example`, s.age, { claimAfter: s.claimAfter, feedbackAfter: s.feedbackAfter, outcome: s.outcome }),
        );
        const m = alignmentMetrics(pushes, SLA, NOW);
        expect(m.accepted + m.rejected).toBe(m.withFeedback);
        expect(m.claimed).toBeLessThanOrEqual(m.pushed);
        expect(m.slaBreaches).toBeLessThanOrEqual(2 * m.pushed);
        for (const rate of [m.acceptanceRate, m.feedbackWithinSlaRate]) {
          if (rate !== null) expect(rate).toBeGreaterThanOrEqual(0);
          if (rate !== null) expect(rate).toBeLessThanOrEqual(1);
        }
        if (m.medianHoursToClaim !== null) expect(m.medianHoursToClaim).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 500 },
    );
  });

  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

import type { SlaConfig } from '@intent/config';
import type { Outcome } from '@intent/qualify';
import type { PushRecord } from '@intent/store';

/**
 * The alignment metrics of a set of pushes (accounts entering a pod queue). Pure: the caller
 * passes the pushes, the SLA and `now`. The rules, one push at a time:
 *
 * - `accepted`: sales' first verdict on the push (its first feedback) is anything but
 *   `rejected` (accepted, meeting, bant_qualified, opportunity, closed_won or closed_lost);
 *   `acceptanceRate` = accepted / pushed (pushed-to-accepted, the MQL-to-SQL rate), null
 *   when nothing was pushed.
 * - `medianHoursToClaim`: median of first claim - push, over the pushes claimed; null when none.
 * - `feedbackWithinSlaRate`: of the pushes whose feedback is due (the `sla.feedbackHours`
 *   deadline has passed, or feedback came already), the share whose first feedback came by the
 *   deadline; null when none is due yet. A push still inside its window is not counted against it.
 * - `slaBreaches` = `breaches.firstTouch` + `breaches.feedback`, so one push can breach twice:
 *   first touch (the earlier of the first claim and the first feedback) later than
 *   `sla.firstTouchHours` after the push, or no touch at all once that time has passed; and
 *   first feedback later than `sla.feedbackHours`, or none once that time has passed.
 * A time exactly on a deadline is within it.
 */
export interface AlignmentMetrics {
  pushed: number;
  claimed: number;
  withFeedback: number;
  accepted: number;
  rejected: number;
  acceptanceRate: number | null;
  medianHoursToClaim: number | null;
  medianHoursToFeedback: number | null;
  feedbackWithinSlaRate: number | null;
  slaBreaches: number;
  breaches: { firstTouch: number; feedback: number };
  /** Pushes by their first verdict. */
  outcomes: Partial<Record<Outcome, number>>;
}

export type SlaHours = Pick<SlaConfig, 'firstTouchHours' | 'feedbackHours'>;

const HOUR_MS = 3_600_000;

export function alignmentMetrics(pushes: PushRecord[], sla: SlaHours, now: Date): AlignmentMetrics {
  const nowMs = now.getTime();
  const toClaim: number[] = [];
  const toFeedback: number[] = [];
  const outcomes: Partial<Record<Outcome, number>> = {};
  let accepted = 0;
  let due = 0;
  let withinSla = 0;
  const breaches = { firstTouch: 0, feedback: 0 };

  for (const p of pushes) {
    const pushed = Date.parse(p.pushedAt);
    const claim = hoursAfter(pushed, p.firstClaimAt);
    const feedback = hoursAfter(pushed, p.firstFeedbackAt);
    const elapsed = Math.max(0, nowMs - pushed) / HOUR_MS;
    if (claim !== undefined) toClaim.push(claim);
    if (feedback !== undefined) toFeedback.push(feedback);
    if (p.outcome) {
      outcomes[p.outcome] = (outcomes[p.outcome] ?? 0) + 1;
      if (p.outcome !== 'rejected') accepted++;
    }

    const touch = claim === undefined ? feedback : feedback === undefined ? claim : Math.min(claim, feedback);
    if (touch === undefined ? elapsed > sla.firstTouchHours : touch > sla.firstTouchHours) breaches.firstTouch++;
    if (feedback === undefined ? elapsed > sla.feedbackHours : feedback > sla.feedbackHours) breaches.feedback++;
    if (feedback !== undefined || elapsed > sla.feedbackHours) {
      due++;
      if (feedback !== undefined && feedback <= sla.feedbackHours) withinSla++;
    }
  }

  return {
    pushed: pushes.length,
    claimed: toClaim.length,
    withFeedback: toFeedback.length,
    accepted,
    rejected: outcomes.rejected ?? 0,
    acceptanceRate: pushes.length ? round(accepted / pushes.length, 4) : null,
    medianHoursToClaim: toClaim.length ? round(median(toClaim), 2) : null,
    medianHoursToFeedback: toFeedback.length ? round(median(toFeedback), 2) : null,
    feedbackWithinSlaRate: due ? round(withinSla / due, 4) : null,
    slaBreaches: breaches.firstTouch + breaches.feedback,
    breaches,
    outcomes,
  };
}

/** Per pod and overall (every pod's pushes together). */
export function alignmentByPod(
  pushesByPod: Record<string, PushRecord[]>,
  sla: SlaHours,
  now: Date,
): { overall: AlignmentMetrics; pods: Record<string, AlignmentMetrics> } {
  const pods = Object.fromEntries(
    Object.entries(pushesByPod).map(([podId, pushes]) => [podId, alignmentMetrics(pushes, sla, now)]),
  );
  return { overall: alignmentMetrics(Object.values(pushesByPod).flat(), sla, now), pods };
}

/** Hours from the push to `at`, never negative; undefined when `at` is missing or unreadable. */
function hoursAfter(pushedMs: number, at: string | undefined): number | undefined {
  const t = at ? Date.parse(at) : Number.NaN;
  return Number.isFinite(t) ? Math.max(0, t - pushedMs) / HOUR_MS : undefined;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

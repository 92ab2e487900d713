/**
 * The statistics of calibration, pure. A feature's lift is its acceptance rate over the base
 * rate (every decided push's); its interval comes from the relative risk of acceptance with the
 * feature against without it, with Katz's log interval (the Wald interval of log RR), then
 * expressed as lift at the observed share of pushes with the feature:
 *   lift = RR / (w RR + 1 - w), w = n_with / n,
 * which is increasing in RR, equals p_with / p_base at the estimate, and is 1 exactly when
 * RR is 1: the lift interval excludes 1 exactly when the RR interval does.
 * A zero cell (no acceptances, or no rejections, on one side) gets Haldane's 0.5 added to each
 * of the four cells for the interval.
 */

/** The normal quantile of a two-sided 95% interval. */
const Z95 = 1.959964;
/**
 * The fewest decided pushes (with a verdict) on each side of a feature, with it and without
 * it, before its lift is given as a number: below it the answer says "insufficient".
 */
export const MIN_PUSHES = 30;

export type Verdict = 'higher' | 'lower' | 'no_difference' | 'insufficient';

export interface Lift {
  value: number | null;
  low: number | null;
  high: number | null;
  /** higher / lower: the interval lies above / below 1; no_difference: it contains 1. */
  verdict: Verdict;
}

/** Accepted out of n decided pushes. */
export interface Tally {
  n: number;
  accepted: number;
}

const INSUFFICIENT: Lift = { value: null, low: null, high: null, verdict: 'insufficient' };

/** The lift of a feature over the base rate, with its 95% interval (see above), or "insufficient". */
export function liftOverBase(withIt: Tally, without: Tally, minPushes = MIN_PUSHES): Lift {
  const n = withIt.n + without.n;
  const accepted = withIt.accepted + without.accepted;
  if (withIt.n < minPushes || without.n < minPushes || accepted === 0) return INSUFFICIENT;
  const base = accepted / n;
  const value = withIt.accepted / withIt.n / base;
  let [a, n1, c, n0] = [withIt.accepted, withIt.n, without.accepted, without.n];
  if (a === 0 || a === n1 || c === 0 || c === n0) [a, n1, c, n0] = [a + 0.5, n1 + 1, c + 0.5, n0 + 1];
  const logRr = Math.log(a / n1 / (c / n0));
  const se = Math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0);
  const w = withIt.n / n;
  const asLift = (rr: number) => rr / (w * rr + 1 - w);
  // The corrected cells can move the interval off the uncorrected estimate: it always holds it.
  const low = Math.min(value, asLift(Math.exp(logRr - Z95 * se)));
  const high = Math.max(value, asLift(Math.exp(logRr + Z95 * se)));
  const verdict: Verdict = low > 1 ? 'higher' : high < 1 ? 'lower' : 'no_difference';
  return { value: round(value, 3), low: round(low, 3), high: round(high, 3), verdict };
}

/** x / n, or null when n is 0. */
export function rate(x: number, n: number): number | null {
  return n > 0 ? round(x / n, 4) : null;
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

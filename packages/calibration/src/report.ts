import { OUTCOMES, type Outcome } from '@intent/qualify';
import { type BacktestSide, backtestSide, type Candidate } from './backtest';
import { featuresOf } from './features';
import { type Proposal, propose } from './propose';
import { type CalibrationPush, decidedPushes } from './push';
import { MIN_PUSHES, rate } from './stats';
import { type FeatureStat, featureStats } from './tally';

/** The share of decided pushes, oldest first, that the proposal is fitted on; the rest is held out. */
const TRAIN_SHARE = 0.7;
/** Distinct rejection reasons listed; the rarer ones are counted together as `other`. */
const MAX_REASONS = 20;
const REASON_CHARS = 200;

export interface CalibrationOutcomes {
  pushed: number;
  /** Pushes with a snapshot of what they knew (those recorded before snapshots were kept have none). */
  withEvidence: number;
  /** Pushes with a verdict (any feedback). */
  decided: number;
  awaitingFeedback: number;
  accepted: number;
  acceptanceRate: { value: number | null; n: number };
  rejected: { count: number; byReason: Record<string, number> };
  /** Pushes that reached each later outcome (a push may reach several). */
  meeting: number;
  bant_qualified: number;
  opportunity: number;
  closed_won: number;
  closed_lost: number;
}

export interface CalibrationReport {
  outcomes: CalibrationOutcomes;
  /** The fewest decided pushes on each side of a feature before its lift is a number. */
  minPushes: number;
  features: FeatureStat[];
  proposal: Proposal;
  backtest: {
    split: { rule: string; at: string | null; train: number; test: number };
    current: BacktestSide;
    proposed: BacktestSide;
  };
}

/**
 * The calibration report of a window's pushes against the `current` signals and ICP: outcomes,
 * each feature's lift, a proposal fitted on the earliest TRAIN_SHARE of the decided pushes, and
 * the backtest of the current and proposed configurations on the rest. Uses only each push's
 * snapshot and the feedback joined to it, never the accounts as they are now.
 */
export function calibrate(pushes: readonly CalibrationPush[], current: Candidate, minPushes = MIN_PUSHES): CalibrationReport {
  const decided = decidedPushes(pushes);
  const withEvidence = pushes.flatMap((p) => (p.evidence ? [{ features: featuresOf(p.evidence) }] : []));
  const cut = Math.round(decided.length * TRAIN_SHARE);
  const train = decided.slice(0, cut);
  const test = decided.slice(cut);
  const proposal = propose(train, current, minPushes);
  return {
    outcomes: outcomesOf(pushes),
    minPushes,
    features: featureStats(decided, withEvidence, minPushes),
    proposal,
    backtest: {
      split: {
        rule: `by push time: the earliest ${TRAIN_SHARE * 100}% of decided pushes fit the proposal, the later ones test it`,
        at: test[0]?.pushedAt ?? null,
        train: train.length,
        test: test.length,
      },
      current: backtestSide(test, current),
      proposed: backtestSide(test, proposal),
    },
  };
}

function outcomesOf(pushes: readonly CalibrationPush[]): CalibrationOutcomes {
  const reached = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  const reasons = new Map<string, number>();
  let decided = 0;
  let accepted = 0;
  let rejected = 0;
  for (const p of pushes) {
    for (const o of new Set(p.outcomes)) reached[o]++;
    if (!p.firstOutcome) continue;
    decided++;
    if (p.firstOutcome !== 'rejected') {
      accepted++;
      continue;
    }
    rejected++;
    const reason = p.rejectReason?.trim().toLowerCase().slice(0, REASON_CHARS) || '(no reason given)';
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  const ranked = [...reasons].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const byReason = Object.fromEntries(ranked.slice(0, MAX_REASONS));
  const rest = ranked.slice(MAX_REASONS).reduce((n, [, c]) => n + c, 0);
  if (rest > 0) byReason.other = (byReason.other ?? 0) + rest;
  return {
    pushed: pushes.length,
    withEvidence: pushes.filter((p) => p.evidence).length,
    decided,
    awaitingFeedback: pushes.length - decided,
    accepted,
    acceptanceRate: { value: rate(accepted, decided), n: decided },
    rejected: { count: rejected, byReason },
    meeting: reached.meeting,
    bant_qualified: reached.bant_qualified,
    opportunity: reached.opportunity,
    closed_won: reached.closed_won,
    closed_lost: reached.closed_lost,
  };
}

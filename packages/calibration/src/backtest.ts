import type { IcpConfig, SignalsConfig, Stage } from '@intent/config';
import { scoreFit } from '@intent/fit';
import { intentScoreOf, NO_TOPIC, READ_SIGNALS } from '@intent/intent';
import type { PushEvidence } from './evidence';
import type { DecidedPush } from './push';
import { rate } from './stats';

/** The sections a backtest judges: what decides whether an account is pushed. */
export interface Candidate {
  signals: SignalsConfig;
  icp: IcpConfig;
}

/**
 * The queue stage (hand_raiser, else surging) the push's window evidence reaches under
 * `signals`' hand-raise signals and surge rule; undefined when it reaches neither.
 */
function queueStageUnder(e: PushEvidence, signals: SignalsConfig): Extract<Stage, 'surging' | 'hand_raiser'> | undefined {
  if (e.topics.some((t) => signals.handRaise.some((s) => (t.identified[s] ?? 0) > 0))) return 'hand_raiser';
  const surges = e.topics.some(
    (t) => t.topic !== NO_TOPIC && READ_SIGNALS.reduce((n, s) => n + (t.counts[s] ?? 0), 0) >= signals.surgeReads,
  );
  return surges ? 'surging' : undefined;
}

/**
 * Whether `candidate` would have pushed this account on the evidence it had: its fit under the
 * candidate ICP is in a sales-ready tier (and not excluded), the stage under the candidate
 * signals is surging or hand_raiser, and the intent score under the candidate weights reaches
 * `icp.salesReadyIntent`. Holds (rejections, terminal outcomes) are not judged: the push happened.
 */
export function wouldPush(e: PushEvidence, candidate: Candidate): boolean {
  const fit = scoreFit(e.firmographics, candidate.icp);
  if (fit.excluded || !candidate.icp.salesReadyTiers.includes(fit.tier)) return false;
  if (!queueStageUnder(e, candidate.signals)) return false;
  return intentScoreOf(e.topics, candidate.signals) >= candidate.icp.salesReadyIntent;
}

/** A count, and the number it is out of. */
export interface Counted {
  value: number;
  n: number;
}

/** What a configuration would have done with the held-out pushes. */
export interface BacktestSide {
  /** Held-out pushes it would have pushed, of all held-out pushes. */
  pushed: Counted;
  /** Accepted share of what it would have pushed (n: those pushes). */
  acceptanceRate: { value: number | null; n: number };
  /** Accepted pushes it would still have pushed, of all accepted. */
  acceptedKept: Counted;
  /** Pushes that went on to be won that it would still have pushed, of all won. */
  wonKept: Counted;
  /** Rejected pushes it would not have pushed, of all rejected. */
  rejectedSpared: Counted;
}

export function backtestSide(pushes: readonly DecidedPush[], candidate: Candidate): BacktestSide {
  let kept = 0;
  let acceptedKept = 0;
  let accepted = 0;
  let won = 0;
  let wonKept = 0;
  let rejected = 0;
  let rejectedSpared = 0;
  for (const p of pushes) {
    const keep = wouldPush(p.evidence, candidate);
    if (keep) kept++;
    if (p.accepted) {
      accepted++;
      if (keep) acceptedKept++;
    } else {
      rejected++;
      if (!keep) rejectedSpared++;
    }
    if (p.won) {
      won++;
      if (keep) wonKept++;
    }
  }
  return {
    pushed: { value: kept, n: pushes.length },
    acceptanceRate: { value: rate(acceptedKept, kept), n: kept },
    acceptedKept: { value: acceptedKept, n: accepted },
    wonKept: { value: wonKept, n: won },
    rejectedSpared: { value: rejectedSpared, n: rejected },
  };
}

import { type IcpConfig, SIGNALS, type SignalsConfig } from '@intent/config';
import { intentScoreOf } from '@intent/intent';
import { type Candidate, wouldPush } from './backtest';
import type { DecidedPush } from './push';
import { MIN_PUSHES, round } from './stats';
import { featureStats } from './tally';

/**
 * The acceptance rate a push must be worth: the floor of the 40-60% target band. The threshold
 * is chosen to maximise accepted - TARGET_FLOOR x pushed, i.e. it keeps a group of pushes
 * exactly when more than 40% of it is accepted.
 */
const TARGET_FLOOR = 0.4;
/** A signal's weight moves by its lift, but never by more than this factor either way in one proposal. */
const MAX_WEIGHT_FACTOR = 4;

/** One change the proposal makes, and why, with the evidence's n. */
export interface ProposedChange {
  field: string;
  from: unknown;
  to: unknown;
  reason: string;
}

export interface Proposal {
  /** A whole `signals` section: what `PUT /v1/config/signals` takes. */
  signals: SignalsConfig;
  /** A whole `icp` section: the current one with the proposed `salesReadyIntent`. */
  icp: IcpConfig;
  /** The proposed `icp.salesReadyIntent` and the current one. */
  salesReadyThreshold: { intentScore: number; current: number };
  changes: ProposedChange[];
  /** The decided pushes it was fitted on (the earlier part of the window). */
  n: number;
}

/**
 * A proposal fitted on `train` (decided pushes, the earlier part of the window), starting from
 * `current`:
 * 1. each signal whose lift interval excludes 1 has its weight multiplied by its lift (at most
 *    MAX_WEIGHT_FACTOR either way); the others keep theirs;
 * 2. `icp.salesReadyIntent`: the intent score (under the proposed weights) that maximises
 *    accepted - TARGET_FLOOR x pushed over the training pushes the current tiers and stages
 *    push, keeping at least `minPushes` of them; the current one stays when none does better
 *    than pushing them all.
 * Everything else stays as it is: tiers and ICP criteria are reported with their lift, not
 * changed, because pushes only ever come from sales-ready tiers (a criterion's effect is seen
 * only among accounts that already fit) and the ICP is derived from won accounts
 * (`GET /v1/icp/suggestion`). Learning only from pushed accounts, a proposal can tighten what
 * is pushed, never discover accounts that were never pushed.
 */
export function propose(train: readonly DecidedPush[], current: Candidate, minPushes = MIN_PUSHES): Proposal {
  const changes: ProposedChange[] = [];
  const stats = new Map(featureStats(train, train, minPushes).map((s) => [s.feature, s]));
  const weights = { ...current.signals.weights };
  for (const s of SIGNALS) {
    const stat = stats.get(`signal:${s}`);
    if (!stat || stat.lift.value === null || stat.lift.verdict === 'no_difference') continue;
    const factor = Math.min(MAX_WEIGHT_FACTOR, Math.max(1 / MAX_WEIGHT_FACTOR, stat.lift.value));
    const to = Math.min(100, round(weights[s] * factor, 1));
    if (to === weights[s]) continue;
    changes.push({
      field: `signals.weights.${s}`,
      from: weights[s],
      to,
      reason: `Pushes with ${s} were accepted ${pct(stat.acceptanceRate)} of the time (n=${stat.n}), lift ${stat.lift.value} (95% ${stat.lift.low}-${stat.lift.high}).`,
    });
    weights[s] = to;
  }
  const signals: SignalsConfig = { ...current.signals, weights };

  const gated: Candidate = { signals, icp: { ...current.icp, salesReadyIntent: 0 } };
  const threshold = bestThreshold(train, gated, minPushes);
  const salesReadyIntent = threshold?.value ?? current.icp.salesReadyIntent;
  if (threshold && threshold.value !== current.icp.salesReadyIntent) {
    changes.push({
      field: 'icp.salesReadyIntent',
      from: current.icp.salesReadyIntent,
      to: threshold.value,
      reason: threshold.reason,
    });
  }
  const icp: IcpConfig = { ...current.icp, salesReadyIntent };
  return {
    signals,
    icp,
    salesReadyThreshold: { intentScore: salesReadyIntent, current: current.icp.salesReadyIntent },
    changes,
    n: train.length,
  };
}

/**
 * The intent threshold that maximises accepted - TARGET_FLOOR x pushed over the pushes `gated`
 * still pushes; undefined (keep the current one) when fewer than `minPushes` of them are
 * decided, or no threshold does better than pushing them all: pushes held back by the current
 * threshold were never seen, so lowering it is not something this evidence can support.
 */
function bestThreshold(
  train: readonly DecidedPush[],
  gated: Candidate,
  minPushes: number,
): { value: number; reason: string } | undefined {
  const scored = train
    .filter((p) => wouldPush(p.evidence, gated))
    .map((p) => ({ score: intentScoreOf(p.evidence.topics, gated.signals), accepted: p.accepted }))
    .sort((a, b) => b.score - a.score);
  let best: { value: number; gain: number; kept: number; accepted: number } | undefined;
  let gain = 0;
  let accepted = 0;
  for (let i = 0; i < scored.length; i++) {
    const p = scored[i] as (typeof scored)[number];
    gain += (p.accepted ? 1 : 0) - TARGET_FLOOR;
    if (p.accepted) accepted++;
    const next = scored[i + 1];
    // A threshold keeps every push with the same score: only the end of a run of equal scores is a choice.
    if (next && next.score === p.score) continue;
    if (i + 1 < minPushes) continue;
    if (!best || gain > best.gain + 1e-9) best = { value: next ? p.score : 0, gain, kept: i + 1, accepted };
  }
  if (!best || best.value === 0) return undefined;
  return {
    value: best.value,
    reason:
      `Of the ${scored.length} earlier pushes, an intent score of at least ${best.value} (under the proposed weights) keeps ` +
      `${best.kept}, accepted ${pct(best.accepted / best.kept)} of the time: the threshold that best keeps pushes accepted ` +
      `more than ${TARGET_FLOOR * 100}% of the time (the target band's floor).`,
  };
}

function pct(x: number | null): string {
  return x === null ? 'an unknown share' : `${Math.round(x * 1000) / 10}%`;
}

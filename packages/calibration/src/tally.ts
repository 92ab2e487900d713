import { FEATURE_KINDS, type FeatureKind, kindOf } from './features';
import type { DecidedPush } from './push';
import { type Lift, liftOverBase, MIN_PUSHES, rate } from './stats';

/** The fewest closed pushes (won or lost) before a win rate is given as a number. */
const MIN_CLOSED = 10;

export interface FeatureStat {
  /** `kind:value`, e.g. `signal:pricing_view`, `icp:employees` (matched), `people:4+`. */
  feature: string;
  kind: FeatureKind;
  /** Pushes in the window with the feature (with a snapshot), decided or not. */
  pushes: number;
  /** Of those, the pushes with a verdict: the basis of the acceptance rate and the lift. */
  n: number;
  accepted: number;
  acceptanceRate: number | null;
  lift: Lift;
  /** Won of the closed pushes (won or lost) with the feature; only when there are closed ones, null below MIN_CLOSED. */
  winRate?: { value: number | null; n: number };
}

/**
 * Every feature's acceptance rate and lift over the base rate of `decided`, with `pushes`
 * counting each feature over every push with a snapshot. Ordered by how surely the feature
 * predicts acceptance: the features with a number first, by the low end of their interval
 * (highest first), then the insufficient ones by their n.
 */
export function featureStats(
  decided: readonly DecidedPush[],
  withEvidence: readonly { features: readonly string[] }[],
  minPushes = MIN_PUSHES,
): FeatureStat[] {
  const pushes = new Map<string, number>();
  for (const p of withEvidence) for (const f of p.features) pushes.set(f, (pushes.get(f) ?? 0) + 1);
  const acceptedAll = decided.filter((p) => p.accepted).length;
  const byFeature = new Map<string, { n: number; accepted: number; closed: number; won: number }>();
  for (const p of decided) {
    for (const f of p.features) {
      const t = byFeature.get(f) ?? { n: 0, accepted: 0, closed: 0, won: 0 };
      t.n++;
      if (p.accepted) t.accepted++;
      if (p.closed) t.closed++;
      if (p.won) t.won++;
      byFeature.set(f, t);
    }
  }
  const stats = [...pushes.keys()].map((feature): FeatureStat => {
    const t = byFeature.get(feature) ?? { n: 0, accepted: 0, closed: 0, won: 0 };
    const lift = liftOverBase(
      { n: t.n, accepted: t.accepted },
      { n: decided.length - t.n, accepted: acceptedAll - t.accepted },
      minPushes,
    );
    return {
      feature,
      kind: kindOf(feature),
      pushes: pushes.get(feature) ?? 0,
      n: t.n,
      accepted: t.accepted,
      acceptanceRate: rate(t.accepted, t.n),
      lift,
      ...(t.closed > 0 && { winRate: { value: t.closed >= MIN_CLOSED ? rate(t.won, t.closed) : null, n: t.closed } }),
    };
  });
  const kindRank = (s: FeatureStat) => FEATURE_KINDS.indexOf(s.kind);
  return stats.sort((a, b) => {
    if ((a.lift.low === null) !== (b.lift.low === null)) return a.lift.low === null ? 1 : -1;
    if (a.lift.low !== null && b.lift.low !== null && a.lift.low !== b.lift.low) return b.lift.low - a.lift.low;
    return b.n - a.n || kindRank(a) - kindRank(b) || (a.feature < b.feature ? -1 : 1);
  });
}

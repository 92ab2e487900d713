import type { Outcome } from '@intent/qualify';
import type { PushEvidence } from './evidence';
import { featuresOf } from './features';

/** One push as calibration reads it: its snapshot and the feedback joined to it. */
export interface CalibrationPush {
  podId: string;
  domain: string;
  /** ISO 8601. */
  pushedAt: string;
  /** What the push knew; absent on pushes recorded before snapshots were kept (they count only in `outcomes`). */
  evidence?: PushEvidence;
  /** The first outcome reported after the push: sales' verdict (accepted unless `rejected`). */
  firstOutcome?: Outcome;
  /** Every outcome reported while this was the account's latest push. */
  outcomes: readonly Outcome[];
  /** The reason given with the first rejection, if any. */
  rejectReason?: string;
}

/** A push with a snapshot and a verdict: what features, proposals and backtests learn from. */
export interface DecidedPush {
  pushedAt: string;
  evidence: PushEvidence;
  features: string[];
  accepted: boolean;
  /** Reached closed_won / either closed outcome. */
  won: boolean;
  closed: boolean;
}

/** The pushes with a snapshot and a verdict, oldest first. */
export function decidedPushes(pushes: readonly CalibrationPush[]): DecidedPush[] {
  return pushes
    .flatMap((p) =>
      p.evidence && p.firstOutcome
        ? [
            {
              pushedAt: p.pushedAt,
              evidence: p.evidence,
              features: featuresOf(p.evidence),
              accepted: p.firstOutcome !== 'rejected',
              won: p.outcomes.includes('closed_won'),
              closed: p.outcomes.includes('closed_won') || p.outcomes.includes('closed_lost'),
            },
          ]
        : [],
    )
    .sort((a, b) => (a.pushedAt < b.pushedAt ? -1 : a.pushedAt > b.pushedAt ? 1 : 0));
}

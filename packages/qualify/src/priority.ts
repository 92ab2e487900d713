import type { Fit } from '@intent/fit';
import type { AccountIntent, Stage } from '@intent/intent';

/** Within a band, intent orders and carries the larger share; fit breaks ties and keeps a say. */
const INTENT_SHARE = 0.6;
const FIT_SHARE = 0.4;
/**
 * Width of the within-band order: `BAND_SHARE * (0.6 * intent + 0.4 * fit)` spans 0..30.
 * One fit point moves priority 0.12 and one intent point 0.18, both visible at one decimal.
 */
const BAND_SHARE = 0.3;
/**
 * Where each stage's band starts. The stage is the product's hierarchy, so it sets the band and
 * the score only orders within it:
 * - hand_raiser 70..100 and surging 40..70 do not overlap: among the accounts that reach a queue
 *   (sales-ready fit, surging or hand-raiser) no fit and no intent score lets a surge outrank a
 *   hand-raise;
 * - the gaps below (surging 40, engaged 20, aware 1) exceed the intent part's width (0.18 x 100),
 *   so at equal fit a higher stage always ranks higher whatever the intent scores;
 * - a cold account has intent 0 (nothing in the window), so it sits at the bottom.
 */
const STAGE_BAND: Record<Stage, number> = { cold: 0, aware: 1, engaged: 20, surging: 40, hand_raiser: 70 };

/**
 * Queue order, 0-100 with one decimal. Fit gates (only sales-ready tiers reach a queue, and an
 * excluded account is 0 here too); the stage sets the band and intent, then fit, order within it:
 * `STAGE_BAND[stage] + 0.3 * (0.6 * intent + 0.4 * fit)`. The top band ends at exactly 100, so
 * nothing is clamped and the order SDRs work from never ties at the top.
 */
export function priority(fit: Fit, intent: AccountIntent): number {
  if (fit.excluded) return 0;
  const mix = INTENT_SHARE * clamp100(intent.score) + FIT_SHARE * clamp100(fit.score);
  const raw = (STAGE_BAND[intent.stage] ?? 0) + BAND_SHARE * mix;
  return Math.round(clamp100(raw) * 10) / 10;
}

function clamp100(n: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.min(100, n)) : 0;
}

import type { Fit } from '@intent/fit';
import type { AccountIntent, Stage } from '@intent/intent';

/**
 * The mix of intent and fit, scaled by 0.9 so the stage bonus fits under 100 without clamping:
 * clamping would tie the hottest accounts and break the ordering SDRs work from.
 */
export const INTENT_SHARE = 0.6;
export const FIT_SHARE = 0.4;
export const MIX_SCALE = 0.9;
/** A hand-raise or a surge is stronger evidence of buying than the score alone shows. */
export const STAGE_BONUS: Record<Stage, number> = { cold: 0, aware: 0, engaged: 0, surging: 5, hand_raiser: 10 };

/**
 * Queue order, 0-100 with one decimal. Fit gates (only sales-ready tiers reach a queue, and an
 * excluded account is 0 here too); intent orders, so it carries the larger share:
 * `0.9 * (0.6 * intent + 0.4 * fit) + stageBonus`.
 */
export function priority(fit: Fit, intent: AccountIntent): number {
  if (fit.excluded) return 0;
  const mix = INTENT_SHARE * clamp100(intent.score) + FIT_SHARE * clamp100(fit.score);
  const raw = MIX_SCALE * mix + (STAGE_BONUS[intent.stage] ?? 0);
  return Math.round(clamp100(raw) * 10) / 10;
}

function clamp100(n: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.min(100, n)) : 0;
}

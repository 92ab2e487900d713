/** Fit tiers, best first. */
export const TIERS = ['A', 'B', 'C', 'D'] as const;
/** An account's intent stages, weakest first: the index is the rank, so stages compare as numbers. */
export const STAGES = ['cold', 'aware', 'engaged', 'surging', 'hand_raiser'] as const;
export type Stage = (typeof STAGES)[number];

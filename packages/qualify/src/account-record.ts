import { Firmographics } from '@intent/fit';
import { z } from 'zod';
import { Hold } from './readiness';
import { ScoreSnapshot } from './score-snapshot';

/** An SDR's claim of an account: it stays in their pod queue, theirs, until the claim expires. */
export const Claim = z.object({ sdr: z.string(), claimedAt: z.string(), expiresAt: z.string() });
export type Claim = z.infer<typeof Claim>;

/**
 * A message kept on the account until SQS accepted it: saved with the score that made it
 * (one version-guarded write), so a send that fails or never happens cannot lose it. Kept as it
 * is; the pipeline owns its shape (`PodMessage`) and parses it back.
 */
export const OutboxEntry = z.looseObject({
  id: z.string(),
  /** When the change was saved (ISO 8601): how long it has waited. */
  at: z.string(),
});
export type OutboxEntry = z.infer<typeof OutboxEntry>;

/** An account as the pipeline reads and qualifies it. */
export const AccountRecord = z.object({
  domain: z.string(),
  firmographics: Firmographics.optional(),
  score: ScoreSnapshot.optional(),
  claim: Claim.optional(),
  hold: Hold.optional(),
  /** When the latest SDR feedback on the account arrived (ISO 8601). */
  lastFeedbackAt: z.string().optional(),
  /** Pod messages saved with a score and not yet accepted by SQS, oldest first. */
  outbox: z.array(OutboxEntry),
  /**
   * Optimistic-concurrency version: bumped by every write of something the score depends on
   * (the score itself, firmographics, a claim, a hold), so a re-score computed from an older
   * read cannot be saved over it. 0 when no such write happened yet.
   */
  version: z.number(),
});
export type AccountRecord = z.infer<typeof AccountRecord>;

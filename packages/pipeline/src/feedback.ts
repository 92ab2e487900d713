import { type AccountRecord, type Hold, OUTCOMES, type Outcome, TERMINAL_OUTCOMES } from '@intent/qualify';
import type { FeedbackRecord } from '@intent/store';
import { z } from 'zod';
import type { PodMessage } from './pod-messages';
import { rescoreAccount } from './rescore';
import type { ServiceDeps } from './service-deps';

/**
 * Each BANT criterion is `true` (confirmed), `false` (checked, not there), or a short note in
 * the rep's words (for example "Q3 budget approved"); criteria not checked are left out.
 */
const BantAnswer = z.union([z.boolean(), z.string().trim().min(1).max(200)]);
const Bant = z.strictObject({
  budget: BantAnswer.optional(),
  authority: BantAnswer.optional(),
  need: BantAnswer.optional(),
  timeline: BantAnswer.optional(),
});

/** The body of `POST /v1/accounts/{domain}/feedback`. */
export const FeedbackInput = z.object({
  outcome: z.enum(OUTCOMES),
  reason: z.string().trim().min(1).max(1000).optional(),
  bant: Bant.optional(),
  sdr: z.string().trim().min(1).max(100).optional(),
});
export type FeedbackInput = z.infer<typeof FeedbackInput>;

/** The pods whose SDR keys may give feedback on an account: the pod it sits in and the pod it routes to. */
export function feedbackPods(record: AccountRecord): string[] {
  return [...new Set([record.score?.queuedIn, record.score?.pod].filter((p): p is string => !!p))];
}

/**
 * The hold an outcome leaves on the account (undefined: keep the current one). The latest
 * verdict holds, except that nothing but another terminal outcome replaces a terminal one:
 * once sales owns the deal, a late "accepted" must not put the account back in a queue.
 */
function nextHold(current: Hold | undefined, outcome: Outcome, at: string): Hold | undefined {
  const terminal = (o: Outcome | undefined) => !!o && TERMINAL_OUTCOMES.includes(o);
  if (terminal(current?.outcome) && !terminal(outcome)) return undefined;
  return { outcome, outcomeAt: at };
}

/** Outcomes that take the account out of the queue, ending any claim on it. */
function endsClaim(outcome: Outcome): boolean {
  return outcome === 'rejected' || TERMINAL_OUTCOMES.includes(outcome);
}

export type FeedbackResult = { outcome: 'recorded'; record: FeedbackRecord; messages: PodMessage[] } | { outcome: 'not_found' };

/**
 * Stores a piece of feedback, applies its hold to the account (a rejection or a terminal
 * outcome takes it out of the queue and ends its claim), records the first verdict on the
 * current push, joins the feedback to the account's latest push (for calibration), indexes
 * `closed_won` accounts for the ICP suggestion, and re-scores the account. `account` is the
 * account as read for the authorisation check.
 */
export async function giveFeedback(
  account: AccountRecord,
  input: FeedbackInput,
  deps: ServiceDeps,
  id: string,
): Promise<FeedbackResult> {
  const at = deps.now.toISOString();
  const { domain } = account;
  const podOf = account.score?.queuedIn ?? account.score?.pod;
  const record: FeedbackRecord = {
    id,
    domain,
    outcome: input.outcome,
    ...(input.reason !== undefined && { reason: input.reason }),
    ...(input.bant !== undefined && { bant: input.bant as Record<string, boolean | string> }),
    ...(input.sdr !== undefined && { sdr: input.sdr }),
    ...(podOf !== undefined && { podId: podOf }),
    at,
  };
  await deps.store.feedback.add(record);
  const before = await deps.store.feedback.apply(domain, {
    at,
    hold: nextHold(account.hold, input.outcome, at),
    releaseClaim: endsClaim(input.outcome),
  });
  if (before === 'missing') return { outcome: 'not_found' };

  const podId = before.score?.queuedIn;
  const pushedAt = before.score?.pushedAt;
  // The first verdict since the push: no feedback before, or the last one predates the push.
  if (podId && pushedAt && (!before.lastFeedbackAt || before.lastFeedbackAt < pushedAt)) {
    await deps.store.pushes.markFeedback({ podId, pushedAt, domain }, at, input.outcome);
  }
  // Calibration joins every piece of feedback to the account's latest push, queued or not: an
  // opportunity or a win often comes after the account left the queue.
  const latest = await deps.store.pushes.latestOf(domain, at);
  if (latest) await deps.store.pushes.joinOutcome(latest, input.outcome, input.reason);
  if (input.outcome === 'closed_won') await deps.store.feedback.markWon(domain, at);
  const { messages } = await rescoreAccount(domain, deps);
  return { outcome: 'recorded', record, messages };
}

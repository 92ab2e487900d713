import { Fit } from '@intent/fit';
import { AccountIntent } from '@intent/intent';
import { z } from 'zod';

/** The scored state of an account: what the queue, the API and the messages show a person. */
export const ScoreSnapshot = z.object({
  fit: Fit,
  intent: AccountIntent,
  priority: z.number(),
  salesReady: z.boolean(),
  /** Why the account is or is not sales-ready, in plain sentences. */
  readiness: z.array(z.string()),
  /** The pod the account routes to, whether or not it is queued there. */
  pod: z.string().optional(),
  /** The pod queue the account sits in: its pod while sales-ready or claimed. */
  queuedIn: z.string().optional(),
  explanation: z.array(z.string()),
  scoredAt: z.string(),
  /** When the account entered its pod queue (kept while it stays there). */
  pushedAt: z.string().optional(),
  /** Ids of the marketing audiences the account belongs to (absent on scores saved before audiences). */
  audiences: z.array(z.string()).optional(),
});
export type ScoreSnapshot = z.infer<typeof ScoreSnapshot>;

import type { Fit } from '@intent/fit';
import type { AccountIntent } from '@intent/intent';

/** The scored state of an account: what the queue, the API and the messages show a person. */
export interface ScoreSnapshot {
  fit: Fit;
  intent: AccountIntent;
  priority: number;
  salesReady: boolean;
  /** Why the account is or is not sales-ready, in plain sentences. */
  readiness: string[];
  /** The pod the account routes to, whether or not it is queued there. */
  pod?: string;
  /** The pod queue the account sits in: its pod while sales-ready or claimed. */
  queuedIn?: string;
  explanation: string[];
  scoredAt: string;
  /** When the account entered its pod queue (kept while it stays there). */
  pushedAt?: string;
  /** Ids of the marketing audiences the account belongs to (absent on scores saved before audiences). */
  audiences?: string[];
}

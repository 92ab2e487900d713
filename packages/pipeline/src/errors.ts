import { backoff, type RetryPolicy } from '@intent/store';

/**
 * An account kept losing optimistic-concurrency races (its version moved under every attempt)
 * after `attempts` tries: left for the next re-score or walk, which starts from a fresh read.
 */
export class ConflictRetriesExhausted extends Error {
  constructor(
    readonly what: string,
    readonly domain: string,
    readonly attempts: number,
  ) {
    super(`${what} of ${domain}: still conflicting with concurrent writers after ${attempts} attempts`);
    this.name = 'ConflictRetriesExhausted';
  }
}

/**
 * Retries after a lost version race: a short jittered wait, so writers racing on one account
 * do not collide again in lockstep. The first retry waits up to 10 ms, the fifth up to 160.
 */
export const CONFLICT_RETRY: RetryPolicy = { attempts: 6, baseMs: 10, capMs: 200 };

/** Waits before retry `attempt` (1 = the first retry) of a conflicting write. */
export const conflictBackoff = (attempt: number) => backoff(attempt, CONFLICT_RETRY);

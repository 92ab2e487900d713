/**
 * Bounded retries with jittered exponential backoff: every retry loop of the store (and the
 * pipeline's queue sends) waits this way and gives up after a stated number of attempts, so a
 * persistently throttled table fails a request or a batch record instead of holding it until
 * its function times out.
 */
export interface RetryPolicy {
  /** Calls made at most, the first included. */
  attempts: number;
  /** The ceiling of the first wait; doubled for each attempt after it. */
  baseMs: number;
  /** No wait is longer. */
  capMs: number;
}

/**
 * BatchGetItem / BatchWriteItem leftovers: 8 calls, waits drawn from up to 50, 100, ... 2,000 ms
 * (about 2.5 s in all on average, 6.4 s at most), well inside every function's timeout.
 */
export const BATCH_RETRY: RetryPolicy = { attempts: 8, baseMs: 50, capMs: 2_000 };

/**
 * "Full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"): a wait drawn uniformly
 * from [0, min(cap, base x 2^(attempt-1))] before retry `attempt` (1 = the first retry), so
 * writers throttled together do not retry together.
 */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  return random() * Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits before retry `attempt` (1 = the first retry) as `backoffMs` draws it. */
export function backoff(attempt: number, policy: RetryPolicy): Promise<void> {
  return sleep(backoffMs(attempt, policy));
}

/** DynamoDB refused the call for capacity, not for its content: retrying later can succeed. */
export function isThrottling(err: unknown): boolean {
  return (
    err instanceof Error &&
    ['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'].includes(err.name)
  );
}

/**
 * A batch call still left items unprocessed after its last attempt (DynamoDB's
 * UnprocessedKeys / UnprocessedItems, or the whole call throttled): `remaining` of the chunk's
 * items were neither read nor written. The caller fails what depended on them, and retrying
 * the whole operation later is safe (puts and deletes are idempotent).
 */
export class UnprocessedItemsError extends Error {
  constructor(
    readonly operation: 'BatchGetItem' | 'BatchWriteItem',
    readonly remaining: number,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`${operation}: ${remaining} items still unprocessed after ${attempts} attempts`, options);
    this.name = 'UnprocessedItemsError';
  }
}

/**
 * When a failed delivery is tried again: exponential backoff with jitter, honouring the
 * receiver's `Retry-After`, for at least a day. The first retry comes within 10 s, the waits
 * double up to an hour, and an event is given up on (dead) once a failure comes 24 h or more
 * after its first attempt: about 30 attempts in all.
 */
export const RETRY_POLICY = {
  firstDelayMs: 10_000,
  capMs: 3_600_000,
  giveUpAfterMs: 24 * 3_600_000,
  /** The longest `Retry-After` honoured as given: a receiver cannot park a stream for days. */
  maxRetryAfterMs: 6 * 3_600_000,
} as const;

/** What an answer means for the event: delivered, try again later, or refused for good. */
export function outcomeOf(status: number): 'delivered' | 'retry' | 'failed' {
  if (status >= 200 && status < 300) return 'delivered';
  // 0: no answer (network error, timeout). 408 and 429 ask to come back; 5xx are the receiver's.
  if (status === 0 || status === 408 || status === 429 || status >= 500) return 'retry';
  return 'failed';
}

/**
 * The wait before attempt `attempts + 1`, after `attempts` failures: half the exponential step
 * plus a random half of it (so retries of many streams spread out, and none comes early), or
 * what `Retry-After` asked (capped) plus up to a second of jitter.
 */
export function retryDelayMs(attempts: number, retryAfterMs: number | undefined, random: () => number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, RETRY_POLICY.maxRetryAfterMs) + Math.floor(random() * 1000);
  const step = Math.min(RETRY_POLICY.capMs, RETRY_POLICY.firstDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.floor(step / 2 + (random() * step) / 2);
}

/** A `Retry-After` header in milliseconds from `nowMs`: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

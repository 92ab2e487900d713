import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { LocalStack } from '@intent/local';
import { HOT_DAY_SITE, type HotDayBatch } from './hot-day-workload';
import { ingestQueue, queueDepth } from './inspect';
import { BROWSER_UA, log, sleep } from './lib';

/** The write key of each lane (the site's server key for both, where the stack has one: see `setUpHotDay`). */
export interface LaneKeys {
  server: string;
  browser: string;
}

export interface PostOutcome {
  status: number;
  accepted: number;
  rejectedCodes: string[];
  /** 429s and 5xx answered (and network errors) before the final answer: each was retried. */
  retries: number;
  /** The final answer's error code when it was not a 202. */
  error?: string;
  /** When the final answer arrived (performance.now()). */
  at: number;
}

const POST_TIMEOUT_MS = 60_000;
const MAX_ATTEMPTS = 8;

/**
 * Posts one batch to `POST /v1/collect` as its lane would: the server lane without an Origin
 * (a server-side forwarder, so `context.ip` counts), the browser lane with the site's Origin and
 * a browser's agent. 429 (after its Retry-After), 5xx and network errors are retried with the
 * same body: the events carry their messageIds, so a retry can never count twice.
 */
export async function postBatch(stack: LocalStack, keys: LaneKeys, batch: HotDayBatch): Promise<PostOutcome> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': BROWSER_UA };
  // A browser's Origin goes with the public key only: the server key is a forwarder's, which
  // sends none (and an Origin would make the collector take this machine's address as the client's).
  if (batch.lane === 'browser' && keys.browser === HOT_DAY_SITE.writeKey) headers.origin = HOT_DAY_SITE.origin;
  const body = JSON.stringify({ writeKey: batch.lane === 'server' ? keys.server : keys.browser, batch: batch.events });
  let retries = 0;
  for (let attempt = 1; ; attempt++) {
    let status = 0;
    let answer: { accepted?: number; rejected?: { code: string }[]; error?: { code?: string } } = {};
    let retryAfterMs = Math.min(5_000, 100 * 2 ** attempt);
    try {
      const res = await fetch(`${stack.baseUrl}/v1/collect`, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(POST_TIMEOUT_MS),
      });
      status = res.status;
      answer = (await res.json().catch(() => ({}))) as typeof answer;
      const after = Number(res.headers.get('retry-after'));
      if (Number.isFinite(after) && after > 0) retryAfterMs = after * 1000;
    } catch (err) {
      answer = { error: { code: (err as Error).name === 'TimeoutError' ? 'timeout' : 'network_error' } };
    }
    const retryable = status === 0 || status === 429 || status >= 500;
    if (!retryable || attempt === MAX_ATTEMPTS) {
      return {
        status,
        accepted: status === 202 ? (answer.accepted ?? 0) : 0,
        rejectedCodes: (answer.rejected ?? []).map((r) => r.code),
        retries,
        error: status === 202 ? undefined : `${status} ${answer.error?.code ?? ''}`.trim(),
        at: performance.now(),
      };
    }
    retries++;
    await sleep(retryAfterMs);
  }
}

export interface Settled {
  /** When the rollup consumer was done with everything it could do (performance.now()). */
  at: number;
  /** Messages that failed and wait out the ingest queue's visibility timeout for another receive. */
  failedAwaitingRetry: number;
}

/**
 * Waits until the rollup consumer has done all it can with what was posted: the ingest queue
 * empty, or nothing left visible and no batch in flight, so that what is still on the queue is
 * messages that failed and wait out the visibility timeout (361 s; the DLQ takes them after 5
 * receives, half an hour). `stack.drain` alone would wait for those until its timeout.
 * Throws after `timeoutMs`, saying what is left.
 */
export async function waitForRollup(stack: LocalStack, timeoutMs: number, label = 'rollup'): Promise<Settled> {
  const ingest = ingestQueue(stack);
  const deadline = performance.now() + timeoutMs;
  let lastLog = performance.now();
  for (;;) {
    const { visible, inFlight } = await ingestAttributes(stack, ingest.url);
    if (performance.now() - lastLog > 15_000) {
      lastLog = performance.now();
      log(`${label}: waiting for the rollup consumer, ${visible} messages visible, ${inFlight} in flight`);
    }
    if (visible + inFlight === 0) return { at: performance.now(), failedAwaitingRetry: 0 };
    if (visible === 0) {
      // Stops the consumer after its batches in flight, and starts it again: then whatever is
      // still not visible is a failed message, not a batch at work.
      await stack.drain(500);
      const after = await ingestAttributes(stack, ingest.url);
      if (after.visible === 0) return { at: performance.now(), failedAwaitingRetry: after.inFlight };
    }
    if (performance.now() > deadline)
      throw new Error(
        `the ingest queue was not drained within ${Math.round(timeoutMs / 1000)} s: ${visible} messages visible, ${inFlight} in flight`,
      );
    await sleep(100);
  }
}

async function ingestAttributes(stack: LocalStack, url: string): Promise<{ visible: number; inFlight: number }> {
  const out = await stack.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const a = out.Attributes ?? {};
  return { visible: Number(a.ApproximateNumberOfMessages ?? 0), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) };
}

/** Messages in every dead-letter queue of the stack, by queue id (the ingest queue's is the one that matters). */
export async function deadLetters(stack: LocalStack): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const queue of Object.values(stack.queues)) {
    if (queue.dlqUrl) out[`${queue.def.id}-dlq`] = await queueDepth(stack, queue.dlqUrl);
  }
  return out;
}

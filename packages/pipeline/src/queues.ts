import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { backoff, type RetryPolicy, traced } from '@intent/store';

/**
 * The one SQS client of a process, built at module scope; its endpoint comes from the SDK's
 * own `AWS_ENDPOINT_URL_SQS`, which the local runtime sets. Requests go to that endpoint, not
 * to the host inside a queue URL (in AWS both are the regional endpoint; locally the stand-in
 * writes `sqs.<region>.localhost` URLs that do not resolve). `cacheMiddleware`: the client
 * builds each command's middleware chain once, not on every send, where rebuilding it was a
 * good part of the collector's time per request (docs/cost.md); nothing adds middleware to
 * this client after it is built, which a cached chain would not see.
 */
export const sqs = traced(new SQSClient({ useQueueUrlAsEndpoint: false, cacheMiddleware: true }));

/** SendMessageBatch calls per chunk at most, with jittered waits of up to 100, 200, 400 ms between them. */
const SEND_RETRY: RetryPolicy = { attempts: 4, baseMs: 100, capMs: 1_000 };
/** What one SendMessageBatch may carry: ten entries, and 256 KiB of bodies in all. */
const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_BYTES = 256 * 1024;

/**
 * Sends bodies in batches of up to ten (fewer when large), retrying only the entries SQS
 * reported as failed, with jittered backoff, `SEND_RETRY.attempts` calls per batch at most.
 * Answers the indexes of bodies that still failed after the last attempt. `delaySeconds`: each
 * body's delay, when it has one.
 */
export async function sendAll(
  client: SQSClient,
  queueUrl: string,
  bodies: string[],
  delaySeconds?: (index: number) => number,
): Promise<number[]> {
  const failed: number[] = [];
  for (const chunk of batchesOf(bodies)) {
    let entries: SendMessageBatchRequestEntry[] = chunk.map((i) => ({
      Id: String(i),
      MessageBody: bodies[i] as string,
      ...(delaySeconds ? { DelaySeconds: delaySeconds(i) } : {}),
    }));
    for (let attempt = 0; entries.length > 0 && attempt < SEND_RETRY.attempts; attempt++) {
      if (attempt > 0) await backoff(attempt, SEND_RETRY);
      try {
        const out = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
        const retry = new Set((out.Failed ?? []).filter((f) => !f.SenderFault).map((f) => f.Id));
        for (const f of out.Failed ?? []) if (f.SenderFault) failed.push(Number(f.Id));
        entries = entries.filter((e) => retry.has(e.Id));
      } catch (err) {
        // A throttled or failed call: retry the whole chunk, unless attempts are spent.
        if (attempt === SEND_RETRY.attempts - 1) throw err;
      }
    }
    for (const e of entries) failed.push(Number(e.Id));
  }
  return failed.sort((a, b) => a - b);
}

/** Indexes of the bodies, in order, grouped as SendMessageBatch allows. */
function batchesOf(bodies: string[]): number[][] {
  const chunks: number[][] = [];
  let chunk: number[] = [];
  let bytes = 0;
  bodies.forEach((body, i) => {
    const size = Buffer.byteLength(body);
    if (chunk.length === MAX_BATCH_ENTRIES || (chunk.length && bytes + size > MAX_BATCH_BYTES)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(i);
    bytes += size;
  });
  if (chunk.length) chunks.push(chunk);
  return chunks;
}

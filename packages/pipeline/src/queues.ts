import { SQSClient, SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';

/**
 * The one SQS client of a process, built at module scope; its endpoint comes from the SDK's
 * own `AWS_ENDPOINT_URL_SQS`, which the local runtime sets. Requests go to that endpoint, not
 * to the host inside a queue URL (in AWS both are the regional endpoint; locally the stand-in
 * writes `sqs.<region>.localhost` URLs that do not resolve).
 */
export const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });

const MAX_ATTEMPTS = 4;

/**
 * Sends bodies in batches of ten, retrying only the entries SQS reported as failed, with
 * backoff. Answers the indexes of bodies that still failed after the last attempt.
 */
export async function sendAll(client: SQSClient, queueUrl: string, bodies: string[]): Promise<number[]> {
  const failed: number[] = [];
  for (let start = 0; start < bodies.length; start += 10) {
    let entries: SendMessageBatchRequestEntry[] = bodies
      .slice(start, start + 10)
      .map((body, i) => ({ Id: String(start + i), MessageBody: body }));
    for (let attempt = 0; entries.length > 0 && attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      try {
        const out = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
        const retry = new Set((out.Failed ?? []).filter((f) => !f.SenderFault).map((f) => f.Id));
        for (const f of out.Failed ?? []) if (f.SenderFault) failed.push(Number(f.Id));
        entries = entries.filter((e) => retry.has(e.Id));
      } catch (err) {
        // A throttled or failed call: retry the whole chunk, unless attempts are spent.
        if (attempt === MAX_ATTEMPTS - 1) throw err;
      }
    }
    for (const e of entries) failed.push(Number(e.Id));
  }
  return failed.sort((a, b) => a - b);
}

import { createHmac } from 'node:crypto';
import type { WebhookDestination } from '@intent/config';
import type { DeliveryRecord } from '@intent/store';
import type { Attempt } from './deliver-stream';
import { parseRetryAfter } from './delivery-schedule';

/** How long one delivery waits for the receiver's answer. */
const WEBHOOK_TIMEOUT_MS = 10_000;

/** The body a webhook receiver gets: the Standard Webhooks shape (`type`, `timestamp`, `data`). */
function webhookBody(event: Pick<DeliveryRecord, 'type' | 'at' | 'data'>): string {
  return JSON.stringify({ type: event.type, timestamp: event.at, data: event.data });
}

/**
 * The Standard Webhooks headers of one attempt: `webhook-signature` is `v1,` and the base64
 * HMAC-SHA256, under the secret's bytes (the base64 after `whsec_`), of `id.timestamp.body`.
 * The timestamp is the attempt's (seconds), so receivers can refuse stale replays of it.
 */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): Record<string, string> {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${signature}`,
  };
}

/**
 * POSTs one event to a webhook destination (its secret in plain), signed. Any answer is an
 * attempt's outcome; no answer within `WEBHOOK_TIMEOUT_MS` (or a refused connection) is status 0.
 * `now`: the wall clock the signature's timestamp comes from.
 */
export async function sendWebhook(
  destination: WebhookDestination,
  event: DeliveryRecord,
  now: () => number = Date.now,
): Promise<Attempt> {
  const body = webhookBody(event);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'intent-pipeline-webhooks/1',
    ...signWebhook(destination.secret, event.id, Math.floor(now() / 1000), body),
  };
  try {
    const res = await fetch(destination.url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    // The body is not read beyond what frees the connection: the status is the answer.
    await res.body?.cancel();
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), now());
    return {
      status: res.status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...(res.ok ? {} : { error: `HTTP ${res.status}` }),
    };
  } catch (err) {
    return {
      status: 0,
      error: (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message,
    };
  }
}

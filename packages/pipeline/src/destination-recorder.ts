import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DestinationsConfig } from '@intent/config';
import { forEachLimited, type Store } from '@intent/store';
import { z } from 'zod';
import type { AudienceMessage, AudiencePublisher } from './audiences';
import { audienceChange, type ChangeEvent, podChange, wants } from './destination-events';
import type { PodMessageSender } from './outbox';
import type { PodMessage } from './pod-messages';
import { sendAll } from './queues';

/** A deliveries-queue message: deliver what is pending in destination `d`'s stream of account `a`; `w`: a retry wake's token. */
export const DeliveryMessage = z.object({ d: z.string().min(1), a: z.string().min(1), w: z.string().optional() });
export type DeliveryMessage = z.infer<typeof DeliveryMessage>;

/** Records written at once: a batch of re-scores may make hundreds of changes. */
const RECORDS_IN_FLIGHT = 8;

/** Sends deliveries-queue messages, each after its delay (seconds, at most 900); throws when any could not be sent. */
export type DeliverySender = (messages: { message: DeliveryMessage; delaySeconds: number }[]) => Promise<void>;

export function deliverySender(client: SQSClient, queueUrl: string): DeliverySender {
  return async (messages) => {
    const failed = await sendAll(
      client,
      queueUrl,
      messages.map((m) => JSON.stringify(m.message)),
      (i) => messages[i]?.delaySeconds ?? 0,
    );
    if (failed.length) throw new Error(`${failed.length} of ${messages.length} delivery messages could not be sent`);
  };
}

/**
 * Records each change for every destination that wants it (once: a change recorded again is a
 * no-op) and sends one deliveries-queue message per destination and account touched, also for
 * changes recorded before (a send that failed after the record is made good by the retry).
 * Throws on any failure, so the caller keeps the changes to try again.
 */
export async function recordChanges(
  store: Store,
  destinations: DestinationsConfig,
  events: ChangeEvent[],
  send: DeliverySender,
  now: Date,
): Promise<void> {
  const streams = new Map<string, DeliveryMessage>();
  const records: { destinationId: string; event: ChangeEvent }[] = [];
  for (const destination of destinations.destinations) {
    for (const event of events) {
      if (!wants(destination, event)) continue;
      records.push({ destinationId: destination.id, event });
      streams.set(`${destination.id}\n${event.domain}`, { d: destination.id, a: event.domain });
    }
  }
  // Each record is one item whose key fixes its place in its stream: any order of writing will do.
  await forEachLimited(records, RECORDS_IN_FLIGHT, async ({ destinationId, event: { facets: _facets, ...recorded } }) => {
    await store.deliveries.record(destinationId, recorded, now.toISOString());
  });
  if (streams.size) await send([...streams.values()].map((message) => ({ message, delaySeconds: 0 })));
}

/**
 * Puts the destinations in the way of the pipeline's outbound changes. Pod messages count as
 * sent only once their destinations have them recorded too, so the account's outbox (which
 * retries) covers both; audience changes are best effort, as their queue is (the members API
 * is their source of truth).
 */
export function destinationRecorder(
  store: Store,
  destinations: () => Promise<DestinationsConfig>,
  send: DeliverySender,
  logger: Pick<Logger, 'error'>,
) {
  const record = async (events: ChangeEvent[]) => {
    const config = await destinations();
    if (config.destinations.length) await recordChanges(store, config, events, send, new Date());
  };
  return {
    pods:
      (next: PodMessageSender): PodMessageSender =>
      async (messages: PodMessage[]) => {
        const done = await next(messages);
        try {
          await record(done.map(podChange));
          return done;
        } catch (err) {
          logger.error('changes not recorded for destinations; they stay in the outbox', { error: err as Error });
          return [];
        }
      },
    audiences:
      (next: AudiencePublisher): AudiencePublisher =>
      async (messages: AudienceMessage[]) => {
        await next(messages);
        await record(messages.map(audienceChange)).catch((err) =>
          logger.error('audience changes not recorded for destinations', { error: err as Error, messages: messages.length }),
        );
      },
  };
}

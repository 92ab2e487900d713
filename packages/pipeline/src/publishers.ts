import type { Logger } from '@aws-lambda-powertools/logger';
import { ENV } from '@intent/resources';
import type { Store } from '@intent/store';
import type { AudiencePublisher } from './audiences';
import type { ConfigCache } from './config-cache';
import { deliverySender, destinationRecorder } from './destination-recorder';
import { requiredEnv } from './env';
import { podMessageOutbox } from './outbox';
import type { PodMessage } from './pod-messages';
import { podQueueUrls } from './pod-queues';
import { audiencePublisher, publishPodMessages } from './publish';
import { sqs } from './queues';

/** How a process's outbound changes leave it. */
export interface ChangePublishers {
  /** Sends the pod messages re-scores saved, taking them off their accounts' outboxes once sent. */
  deliverPodMessages: (messages: PodMessage[]) => Promise<void>;
  publishAudienceChanges: AudiencePublisher;
}

/**
 * The one way the pipeline's changes go out, built once per process by each function that makes
 * them: pod messages through the account outbox to the pods' queues, audience changes to their
 * queue, each recorded for the destinations that want it on the way.
 */
export function changePublishers(store: Store, configs: ConfigCache, logger: Logger): ChangePublishers {
  const destinations = destinationRecorder(
    store,
    async () => (await configs.get()).destinations,
    deliverySender(sqs, requiredEnv(ENV.deliveriesQueueUrl)),
    logger,
  );
  return {
    deliverPodMessages: podMessageOutbox(
      store,
      destinations.pods((m) => publishPodMessages(sqs, podQueueUrls(), m, logger)),
      logger,
    ),
    publishAudienceChanges: destinations.audiences(audiencePublisher(sqs, requiredEnv(ENV.audienceQueueUrl), logger)),
  };
}

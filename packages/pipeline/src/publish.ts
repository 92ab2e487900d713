import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AudienceMessage, AudiencePublisher } from './audiences';
import type { JobSender } from './jobs';
import type { PodMessage } from './pod-messages';
import { sendAll } from './queues';

/** Pods already reported as having no queue: one warning per pod and process, not one per batch. */
const podsWithoutQueue = new Set<string>();

/**
 * Sends pod messages to each pod's queue; answers the messages it is done with: those SQS
 * accepted, and those of pods without a queue. In AWS a pod configured after deployment has no
 * queue until the next deploy (`PUT /v1/config/pods` answers which pods need one); its messages
 * are logged and skipped, and the pull API still shows the account. Locally the queue is created
 * with the configuration. The rest failed and stay in their accounts' outboxes.
 */
export async function publishPodMessages(
  client: SQSClient,
  queueUrls: Record<string, string>,
  messages: PodMessage[],
  logger: Pick<Logger, 'warn' | 'error'>,
): Promise<PodMessage[]> {
  const byPod = new Map<string, PodMessage[]>();
  for (const m of messages) byPod.set(m.podId, [...(byPod.get(m.podId) ?? []), m]);
  const done: PodMessage[] = [];
  for (const [podId, podMessages] of byPod) {
    const url = queueUrls[podId];
    if (!url) {
      if (!podsWithoutQueue.has(podId))
        logger.warn('pod has no queue in this deployment; its messages are skipped until a deploy creates it', { podId });
      podsWithoutQueue.add(podId);
      done.push(...podMessages);
      continue;
    }
    try {
      const failed = new Set(
        await sendAll(
          client,
          url,
          podMessages.map((m) => JSON.stringify(m)),
        ),
      );
      done.push(...podMessages.filter((_, i) => !failed.has(i)));
      if (failed.size) logger.error('pod messages not sent; they stay in the outbox', { podId, failed: failed.size });
    } catch (err) {
      logger.error('pod messages not sent; they stay in the outbox', {
        podId,
        error: err as Error,
        messages: podMessages.length,
      });
    }
  }
  return done;
}

/**
 * The publisher of audience changes to the audience queue. Sending is best effort after the
 * change is stored (the members API is the source of truth): a failure is logged, never thrown,
 * so it cannot fail the re-score that made the change.
 */
export function audiencePublisher(
  client: SQSClient,
  queueUrl: string | undefined,
  logger: Pick<Logger, 'warn' | 'error'>,
): AudiencePublisher {
  return async (messages: AudienceMessage[]) => {
    if (!queueUrl) {
      logger.warn('no audience queue in this deployment', { messages: messages.length });
      return;
    }
    try {
      const failed = await sendAll(
        client,
        queueUrl,
        messages.map((m) => JSON.stringify(m)),
      );
      if (failed.length) logger.error('audience messages not sent', { failed: failed.length });
    } catch (err) {
      logger.error('audience messages not sent', { error: err as Error, messages: messages.length });
    }
  };
}

/**
 * The sender of job messages to the jobs queue. Unlike the outbound queues, a job message that
 * cannot be sent is an error: the step that needed it fails and its message is retried.
 */
export function jobSender(client: SQSClient, queueUrl: string): JobSender {
  return async (bodies: string[]) => {
    const failed = await sendAll(client, queueUrl, bodies);
    if (failed.length) throw new Error(`${failed.length} of ${bodies.length} job messages could not be sent`);
  };
}

import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { PodMessage } from './pod-messages';
import { sendAll } from './queues';

/**
 * Sends pod messages to each pod's queue. A pod configured after deployment has no queue
 * until the next deploy (locally: the next start); its messages are logged and skipped, and
 * the pull API still shows the account.
 */
export async function publishPodMessages(
  client: SQSClient,
  queueUrls: Record<string, string>,
  messages: PodMessage[],
  logger: Pick<Logger, 'warn' | 'error'>,
): Promise<void> {
  const byPod = new Map<string, PodMessage[]>();
  for (const m of messages) byPod.set(m.podId, [...(byPod.get(m.podId) ?? []), m]);
  for (const [podId, podMessages] of byPod) {
    const url = queueUrls[podId];
    if (!url) {
      logger.warn('pod has no queue in this deployment', { podId, messages: podMessages.length });
      continue;
    }
    const failed = await sendAll(client, url, podMessages.map((m) => JSON.stringify(m)));
    if (failed.length) logger.error('pod messages not sent', { podId, failed: failed.length });
  }
}

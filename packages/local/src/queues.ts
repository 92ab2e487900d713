import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { sendAll } from '@intent/pipeline';
import { deadLetterQueueName, POD_QUEUE_PREFIX, type QueueDefinition } from '@intent/resources';
import { z } from 'zod';
import type { Fauxqs } from './backends';
import { writePrivateFile } from './data-dir';

export interface LocalQueue {
  def: QueueDefinition;
  url: string;
  arn: string;
  dlqUrl?: string;
}

/** Creates a queue (and its dead-letter queue) with the attributes the stack gives it. */
export async function createQueue(sqs: SQSClient, def: QueueDefinition): Promise<LocalQueue> {
  let dlqUrl: string | undefined;
  const attributes: Record<string, string> = { VisibilityTimeout: String(def.visibilityTimeoutSeconds) };
  if (def.maxReceiveCount !== undefined) {
    const dlq = await sqs.send(
      new CreateQueueCommand({ QueueName: deadLetterQueueName(def.id), Attributes: { MessageRetentionPeriod: '1209600' } }),
    );
    dlqUrl = dlq.QueueUrl ?? '';
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: await arnOf(sqs, dlqUrl),
      maxReceiveCount: def.maxReceiveCount,
    });
  }
  const out = await sqs.send(new CreateQueueCommand({ QueueName: def.id, Attributes: attributes }));
  const url = out.QueueUrl ?? '';
  return { def, url, arn: await arnOf(sqs, url), dlqUrl };
}

async function arnOf(sqs: SQSClient, url: string): Promise<string> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return out.Attributes?.QueueArn ?? '';
}

/**
 * Every queue by name, dead-letter queues included, and its URL: what a clean stop saves and
 * the next start restores (a DLQ's messages are accepted events waiting for a redrive).
 */
export function queueUrlsByName(queues: Record<string, LocalQueue>): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const q of Object.values(queues)) {
    urls[q.def.id] = q.url;
    if (q.dlqUrl) urls[deadLetterQueueName(q.def.id)] = q.dlqUrl;
  }
  return urls;
}

const SAVED_FILE = 'queued-messages.json';

/**
 * The SQS stand-in keeps messages in memory, so a clean stop writes every queue's unconsumed
 * messages (ready, delayed and in flight) under the data dir, and the next start sends them
 * again. Receive counts start over; message bodies are kept exactly.
 */
export function saveQueues(fauxqs: Fauxqs, queueNames: string[], dataDir: string): number {
  const saved: Record<string, string[]> = {};
  let count = 0;
  for (const name of queueNames) {
    const state = fauxqs.inspectQueue(name);
    if (!state) continue;
    const bodies = [
      ...state.messages.ready.map((m) => m.body),
      ...state.messages.delayed.map((m) => m.body),
      ...state.messages.inflight.map((entry) => entry.message.body),
    ];
    if (bodies.length) saved[name] = bodies;
    count += bodies.length;
  }
  // Event payloads (visitor ids, hashed identities): the owner's alone, like the table.
  writePrivateFile(join(dataDir, SAVED_FILE), JSON.stringify(saved));
  return count;
}

/** What `saveQueues` writes: queue name -> message bodies. */
const SavedMessages = z.record(z.string(), z.array(z.string()));

/**
 * Sends back the messages a clean stop saved, then renames the file (`.restored`) so they are
 * restored once. Messages of a queue this start did not make (a pod no longer configured) cannot
 * go back: each such queue gets a warning line with the count, and the renamed file keeps them.
 */
export async function restoreQueues(
  sqs: SQSClient,
  urls: Record<string, string>,
  dataDir: string,
  warn: (line: string) => void,
): Promise<number> {
  const file = join(dataDir, SAVED_FILE);
  if (!existsSync(file)) return 0;
  const saved = SavedMessages.parse(JSON.parse(readFileSync(file, 'utf8')));
  let count = 0;
  for (const [name, bodies] of Object.entries(saved)) {
    const url = urls[name];
    if (!url) {
      const what = name.startsWith(POD_QUEUE_PREFIX)
        ? `pod "${name.slice(POD_QUEUE_PREFIX.length)}", which is no longer configured`
        : `queue "${name}", which this stack no longer has`;
      warn(`warning: ${bodies.length} saved messages for ${what}, were not restored; they are kept in ${file}.restored`);
      continue;
    }
    const failed = await sendAll(sqs, url, bodies);
    if (failed.length) throw new Error(`could not restore ${failed.length} messages to ${name}`);
    count += bodies.length;
  }
  renameSync(file, `${file}.restored`);
  return count;
}

import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { entriesOf, IngestBody } from '@intent/events';
import { readLocalEndpoints } from '@intent/local';
import { Store } from '@intent/store';
import { z } from 'zod';

/** The queues whose failures end in a dead-letter queue: the rollup's, the rescore's and the deliver function's. */
export const DEAD_LETTER_QUEUES = ['ingest', 'jobs', 'deliveries'] as const;

/** A queue with a dead-letter queue, and its DLQ. */
export interface DeadLetterTarget {
  queue: (typeof DEAD_LETTER_QUEUES)[number];
  url: string;
  dlqUrl: string;
}

/** Where the operator commands reach the pipeline: SQS, the table, and the two queues with DLQs. */
export interface Pipeline {
  sqs: SQSClient;
  store: Store;
  targets: DeadLetterTarget[];
  /** What it is, for the output: the local data dir, or the deployment's outputs file. */
  where: string;
}

/** The stack outputs `npx cdk deploy --outputs-file <file>` writes, by stack name. */
const CdkOutputs = z.record(
  z.string(),
  z.object({
    TableName: z.string(),
    IngestQueueUrl: z.string(),
    IngestDeadLetterQueueUrl: z.string(),
    JobsQueueUrl: z.string(),
    JobsDeadLetterQueueUrl: z.string(),
    DeliveriesQueueUrl: z.string(),
    DeliveriesDeadLetterQueueUrl: z.string(),
  }),
);

/**
 * The pipeline of a deployment, from the outputs file of `cdk deploy` (the first stack in it),
 * with the AWS credentials of the environment; or the local stack running on `dataDir`.
 */
export function pipelineFrom(options: { outputsFile?: string; dataDir: string }): Pipeline {
  if (options.outputsFile) {
    const parsed = CdkOutputs.safeParse(JSON.parse(readFileSync(options.outputsFile, 'utf8')));
    if (!parsed.success) throw new Error(`${options.outputsFile} is not the outputs file of cdk deploy (--outputs-file)`);
    const [, outputs] = Object.entries(parsed.data)[0] ?? [];
    if (!outputs) throw new Error(`${options.outputsFile} names no stack`);
    // The region is the queues': sqs.<region>.amazonaws.com.
    const region = /sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(outputs.IngestQueueUrl)?.[1];
    return {
      sqs: new SQSClient({ region }),
      store: new Store(new DynamoDBClient({ region }), outputs.TableName),
      targets: [
        { queue: 'ingest', url: outputs.IngestQueueUrl, dlqUrl: outputs.IngestDeadLetterQueueUrl },
        { queue: 'jobs', url: outputs.JobsQueueUrl, dlqUrl: outputs.JobsDeadLetterQueueUrl },
        { queue: 'deliveries', url: outputs.DeliveriesQueueUrl, dlqUrl: outputs.DeliveriesDeadLetterQueueUrl },
      ],
      where: options.outputsFile,
    };
  }
  const local = readLocalEndpoints(options.dataDir);
  if (!local)
    throw new Error(
      `no local stack runs on ${options.dataDir}: start it (npm start), or pass --outputs <cdk-outputs.json> for a deployment`,
    );
  const config = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const targets: DeadLetterTarget[] = [];
  for (const queue of DEAD_LETTER_QUEUES) {
    const q = local.queues[queue];
    if (q?.dlqUrl) targets.push({ queue, url: q.url, dlqUrl: q.dlqUrl });
  }
  return {
    sqs: new SQSClient({ ...config, endpoint: local.sqsEndpoint, useQueueUrlAsEndpoint: false }),
    store: new Store(new DynamoDBClient({ ...config, endpoint: local.dynamoEndpoint }), local.tableName),
    targets,
    where: options.dataDir,
  };
}

/** One message of a dead-letter queue, with why it failed when the consumer wrote it down. */
export interface DeadLetter {
  queue: DeadLetterTarget['queue'];
  messageId: string;
  /** ISO 8601: when the collector (or a job) first sent it. */
  sentAt: string;
  /** Times it was received, the last ones from the DLQ included. */
  receiveCount: number;
  /** What it carries: `12 events (site news)`, or a job step, or a delivery. */
  summary: string;
  /** Why the consumer failed it (ingest messages: what the rollup recorded on its last attempt). */
  reason: string;
  body: string;
  receiptHandle: string;
}

/** Messages kept out of sight while they are listed (and redriven): longer than a listing takes. */
const LISTING_VISIBILITY_SECONDS = 60;

/**
 * Receives up to `limit` messages of the target's DLQ (each once: they stay invisible while
 * listed) with their reasons. They go back in sight with `release`, or move with `redrive`.
 */
export async function listDeadLetters(pipeline: Pipeline, target: DeadLetterTarget, limit: number): Promise<DeadLetter[]> {
  const messages: Message[] = [];
  while (messages.length < limit) {
    const out = await pipeline.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: target.dlqUrl,
        MaxNumberOfMessages: Math.min(10, limit - messages.length),
        VisibilityTimeout: LISTING_VISIBILITY_SECONDS,
        WaitTimeSeconds: messages.length ? 0 : 1,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (!out.Messages?.length) break;
    messages.push(...out.Messages);
  }
  const reasons =
    target.queue === 'ingest'
      ? await pipeline.store.ingestFailures.byMessageId(messages.map((m) => m.MessageId ?? ''))
      : new Map();
  return messages.map((m) => ({
    queue: target.queue,
    messageId: m.MessageId ?? '',
    sentAt: new Date(Number(m.Attributes?.SentTimestamp ?? 0)).toISOString(),
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
    summary: summaryOf(target.queue, m.Body ?? ''),
    reason: reasons.get(m.MessageId ?? '')?.reason ?? NOT_RECORDED[target.queue],
    body: m.Body ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
  }));
}

/** Where to look when no reason was recorded: only the rollup writes reasons down. */
const NOT_RECORDED: Record<DeadLetterTarget['queue'], string> = {
  ingest: 'not recorded (more failed in its batch than the rollup writes down, or the table was what failed): see the rollup log',
  jobs: 'not recorded here: GET /v1/jobs shows the job, the rescore log the error',
  deliveries: "not recorded here: the deliver function's log has the error",
};

function summaryOf(queue: DeadLetterTarget['queue'], body: string): string {
  if (queue !== 'ingest') return body.length > 120 ? `${body.slice(0, 117)}...` : body;
  try {
    const parsed = IngestBody.safeParse(JSON.parse(body));
    if (!parsed.success) return `malformed (${body.length} bytes)`;
    const entries = entriesOf(parsed.data);
    const events = entries.filter((e) => !('kind' in e));
    const sites = [...new Set(entries.map((e) => ('siteId' in e ? String(e.siteId) : '?')))];
    return `${events.length} events, ${entries.length - events.length} stats (site ${sites.join(', ')})`;
  } catch {
    return `not JSON (${body.length} bytes)`;
  }
}

/** Puts listed messages back in sight in their DLQ at once. */
export async function release(pipeline: Pipeline, target: DeadLetterTarget, letters: DeadLetter[]): Promise<void> {
  for (let i = 0; i < letters.length; i += 10) {
    await pipeline.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: target.dlqUrl,
        Entries: letters
          .slice(i, i + 10)
          .map((l, n) => ({ Id: String(n), ReceiptHandle: l.receiptHandle, VisibilityTimeout: 0 })),
      }),
    );
  }
}

/**
 * Sends listed messages back to their source queue, each body as it was, and deletes from the
 * DLQ those SQS took: a message is never lost between the two (at worst sent twice, which the
 * rollup's counters ignore). Answers how many moved.
 */
export async function redrive(pipeline: Pipeline, target: DeadLetterTarget, letters: DeadLetter[]): Promise<number> {
  let moved = 0;
  for (let i = 0; i < letters.length; i += 10) {
    const chunk = letters.slice(i, i + 10);
    const out = await pipeline.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: target.url,
        Entries: chunk.map((l, n) => ({ Id: String(n), MessageBody: l.body })),
      }),
    );
    const sent = (out.Successful ?? []).map((s) => chunk[Number(s.Id)] as DeadLetter);
    if (sent.length)
      await pipeline.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: target.dlqUrl,
          Entries: sent.map((l, n) => ({ Id: String(n), ReceiptHandle: l.receiptHandle })),
        }),
      );
    moved += sent.length;
  }
  return moved;
}

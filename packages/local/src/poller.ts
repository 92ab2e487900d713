import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { timedInvocation } from './invocations';
import { lambdaContext } from './lambda-context';

export type SqsLambda = (event: SQSEvent, context: unknown) => Promise<SQSBatchResponse | undefined>;

export interface PollerOptions {
  functionName: string;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  /** Batches gathered and handled at once, each by its own loop. */
  concurrency: number;
  maxBatchingWindowMs: number;
  visibilityTimeoutSeconds: number;
  /** The function's timeout: what the Lambda context's remaining time counts down from. */
  timeoutMs?: number;
}

/** How often a batch that is filling asks for more messages during its batching window. */
const WINDOW_POLL_MS = 200;
/** What the stack needs of a queue consumer, in this thread (`QueuePoller`) or in a worker. */
export interface Consumer {
  /** Empties the queue, waits for the batches in flight, and keeps consuming. */
  drain(timeoutMs: number): Promise<void>;
  /** Stops consuming, first emptying the queue with `drain`. */
  stop(options: { drain: boolean; timeoutMs?: number }): Promise<void>;
  /** Stops receiving and waits for the batches in flight, leaving the queue as it is, until `resume`. */
  pause(): Promise<void>;
  resume(): Promise<void>;
}

/**
 * A stand-in for Lambda's SQS event source mapping: up to `concurrency` loops each gather up
 * to `batchSize` messages (and under 6 MB) within the batching window, invoke the handler, delete what
 * succeeded and leave the reported failures (or, if the handler throws, the whole batch) to
 * reappear after the visibility timeout. The queue's redrive policy (enforced by the SQS
 * stand-in) moves a message that keeps failing to the dead-letter queue after
 * maxReceiveCount receives.
 */
export class QueuePoller implements Consumer {
  private running = false;
  private loops: Promise<void>[] = [];
  batches = 0;

  constructor(
    private readonly sqs: SQSClient,
    private readonly handler: SqsLambda,
    private readonly options: PollerOptions,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.options.concurrency }, () => this.run());
  }

  async drain(timeoutMs: number): Promise<void> {
    await this.stop({ drain: true, timeoutMs });
    this.start();
  }

  /** Stops receiving and waits for the batches in flight; with `drain`, first empties the queue. */
  async stop({ drain, timeoutMs = 30_000 }: { drain: boolean; timeoutMs?: number }): Promise<void> {
    if (drain) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline && (await this.pending()) > 0) await sleep(100);
    }
    this.running = false;
    await Promise.all(this.loops);
  }

  pause(): Promise<void> {
    return this.stop({ drain: false });
  }

  async resume(): Promise<void> {
    if (!this.running) this.start();
  }

  /** Messages visible or in flight on the queue. */
  async pending(): Promise<number> {
    const out = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.options.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    const a = out.Attributes ?? {};
    return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const messages = await this.gather();
        if (messages.length) await this.invoke(messages);
      } catch (err) {
        this.onError(err);
        await sleep(500);
      }
    }
  }

  private async gather(): Promise<Message[]> {
    const { batchSize, maxBatchingWindowMs, queueUrl, visibilityTimeoutSeconds } = this.options;
    const batch: Message[] = [];
    let bytes = 0;
    let deadline = Number.POSITIVE_INFINITY;
    // As Lambda's mapping, it also stops short of the 6 MB payload (a receive that could cross it is not made).
    while (this.running && batch.length < batchSize && bytes + MAX_RECEIVE_BYTES <= MAX_PAYLOAD_BYTES && Date.now() < deadline) {
      const out = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, batchSize - batch.length),
          // Long-poll briefly when idle so stop() is noticed within a second.
          WaitTimeSeconds: batch.length ? 0 : 1,
          VisibilityTimeout: visibilityTimeoutSeconds,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      const received = out.Messages ?? [];
      if (received.length && batch.length === 0) deadline = Date.now() + maxBatchingWindowMs;
      batch.push(...received);
      for (const m of received) bytes += Buffer.byteLength(m.Body ?? '');
      // Waiting out the window: a few receives, not one every few milliseconds (each is work
      // for the consumer's thread and for the stand-in on the main one).
      if (!received.length && batch.length) await sleep(Math.min(WINDOW_POLL_MS, Math.max(0, deadline - Date.now())));
      if (!received.length && !batch.length) break;
    }
    return batch;
  }

  private async invoke(messages: Message[]): Promise<void> {
    const { functionName, queueArn, queueUrl, timeoutMs } = this.options;
    const event: SQSEvent = {
      Records: messages.map((m) => ({
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        attributes: {
          ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
          SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
          SenderId: m.Attributes?.SenderId ?? 'local',
          ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: 'us-east-1',
      })),
    };
    let failed: Set<string>;
    try {
      const response = await timedInvocation(
        functionName,
        () => this.handler(event, lambdaContext(functionName, timeoutMs)),
        messages.length,
      );
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (err) {
      // A thrown handler fails the whole batch, as in Lambda.
      this.onError(err);
      return;
    }
    this.batches++;
    const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
    for (let i = 0; i < done.length; i += 10) {
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.slice(i, i + 10).map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    }
  }
}

/** Lambda's invocation payload limit: an event source mapping sends no batch larger. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** What one ReceiveMessage may answer: ten messages of up to 256 KiB. */
const MAX_RECEIVE_BYTES = 10 * 256 * 1024;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

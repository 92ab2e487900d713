import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { INGEST_QUEUE } from '@intent/resources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, startTestStack, stopTestStack, type TestStack } from './harness';

/** The local runtime's ingest consumer can be paused (the bench measures the collector apart from it). */
describe('local ingest consumer, paused and resumed', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stopTestStack(stack));

  const queued = async () => {
    const out = await stack.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: stack.queues[INGEST_QUEUE.id]?.url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  };

  it('leaves what the collector queues while paused, and rolls it up once resumed', async () => {
    const day = new Date().toISOString().slice(0, 10);
    const resume = await stack.pauseIngest();
    const reads = [0, 1].map(() => event({ type: 'track', event: 'content_read', anonymousId: 'paused-visitor' }));
    expect((await stack.collect(reads)).status).toBe(202);
    // Longer than the batching window and a long poll: a running consumer would have taken it.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await queued()).toBe(1);
    await resume();
    await stack.drain();
    expect(await queued()).toBe(0);
    const pending = (await stack.store.rollups.pendingOf(['paused-visitor'], day, day)).get('paused-visitor') ?? [];
    expect(pending.flatMap((d) => d.events)).toHaveLength(2);
  });
});

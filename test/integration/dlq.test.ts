import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDeadLetters, type Pipeline, pipelineFrom, redrive, release } from '../../scripts/lib/dlq';
import { startTestStack, stopTestStack, type TestStack } from './harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function depth(stack: TestStack, url: string): Promise<number> {
  const out = await stack.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/**
 * `npm run dlq` against a local stack: a message the rollup cannot take goes through its five
 * receives (one-second visibility here) to the ingest DLQ, with the reason the rollup wrote
 * down; the command lists it with that reason, leaves it there, and redrives it on request.
 */
describe('npm run dlq', () => {
  let stack: TestStack;
  let pipeline: Pipeline;
  let messageId: string;
  beforeAll(async () => {
    stack = await startTestStack();
    pipeline = pipelineFrom({ dataDir: stack.dataDir });
    const sent = await stack.sqs.send(
      new SendMessageCommand({ QueueUrl: stack.queues.ingest?.url ?? '', MessageBody: '{"not":"an ingest body"}' }),
    );
    messageId = sent.MessageId ?? '';
    const dlqUrl = stack.queues.ingest?.dlqUrl ?? '';
    for (let waited = 0; (await depth(stack, dlqUrl)) === 0; waited += 250) {
      if (waited > 20_000) throw new Error('the failing message never reached the DLQ');
      await sleep(250);
    }
  });
  afterAll(() => stopTestStack(stack));

  it('finds the running stack through its data dir, every queue with a DLQ', () => {
    expect(pipeline.targets.map((t) => t.queue)).toEqual(['ingest', 'jobs', 'deliveries']);
  });

  it('lists the dead-lettered message with why the rollup failed it, and leaves it there', async () => {
    const ingest = pipeline.targets[0] as Pipeline['targets'][number];
    const letters = await listDeadLetters(pipeline, ingest, 100);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      queue: 'ingest',
      messageId,
      summary: 'malformed (24 bytes)',
      reason: 'malformed ingest message: not an IngestBody',
    });
    expect(letters[0]?.receiveCount).toBeGreaterThanOrEqual(5);
    await release(pipeline, ingest, letters);
    const again = await listDeadLetters(pipeline, ingest, 100);
    expect(again.map((l) => l.messageId)).toEqual([messageId]);
    await release(pipeline, ingest, again);
  });

  it('redrives it to the ingest queue on request, and the DLQ is empty', async () => {
    const ingest = pipeline.targets[0] as Pipeline['targets'][number];
    const letters = await listDeadLetters(pipeline, ingest, 100);
    expect(await redrive(pipeline, ingest, letters)).toBe(1);
    expect(await depth(stack, ingest.dlqUrl)).toBe(0);
    // Back on the ingest queue, where the rollup takes it again (and fails it again: it is malformed).
    const reasons = async () => [...(await stack.store.ingestFailures.byMessageId([messageId])).values()];
    expect(await reasons()).toHaveLength(1);
    expect(await depth(stack, ingest.url)).toBe(1);
  });
});

import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { PodMessage } from '@intent/pipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { publishPodMessages } from '../../packages/pipeline/src/publish';
import { awsError } from './events';

const sqsMock = mockClient(SQSClient);
afterEach(() => sqsMock.reset());

const logger = { warn: () => undefined, error: () => undefined };
const urls = { default: 'https://sqs.example/pod-default', other: 'https://sqs.example/pod-other' };
const message = (i: number, podId = 'default'): PodMessage => ({
  type: 'account.qualified',
  id: `m${i}`,
  podId,
  domain: `d${i}.example`,
  priority: 80,
  stage: 'hand_raiser',
  tier: 'B',
  reasons: [],
  at: '2026-11-30T00:00:00.000Z',
});

/**
 * What the outbox takes off its accounts is what `publishPodMessages` answers: only messages
 * SQS accepted (or of pods without a queue), never one it refused, so a refused one is sent again.
 */
describe('publishing pod messages answers only what SQS accepted', () => {
  it('leaves out entries SQS refused, and keeps what it accepted in the same call', async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake(async (input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.filter((e) => e.Id !== '1').map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })),
      Failed: [{ Id: '1', SenderFault: true, Code: 'InvalidMessageContents' }],
    }));
    const done = await publishPodMessages(
      new SQSClient({ region: 'us-east-1' }),
      urls,
      [message(0), message(1), message(2)],
      logger,
    );
    expect(done.map((m) => m.id)).toEqual(['m0', 'm2']);
  });

  it('answers none of a pod whose queue keeps failing, without throwing, and the other pod’s still go', async () => {
    sqsMock.on(SendMessageBatchCommand, { QueueUrl: urls.default }).rejects(awsError('ServiceUnavailable'));
    sqsMock.on(SendMessageBatchCommand, { QueueUrl: urls.other }).callsFake(async (input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })),
    }));
    const done = await publishPodMessages(
      new SQSClient({ region: 'us-east-1' }),
      urls,
      [message(0), message(1, 'other')],
      logger,
    );
    expect(done.map((m) => m.id)).toEqual(['m1']);
  });

  it('counts messages of a pod without a queue as done: no queue will ever take them', async () => {
    const done = await publishPodMessages(new SQSClient({ region: 'us-east-1' }), urls, [message(0, 'unqueued')], logger);
    expect(done.map((m) => m.id)).toEqual(['m0']);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });
});

import { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { awsError, context, httpEvent, setHandlerEnv } from './events';

const ddb = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);
let handler: (typeof import('../../functions/collector/handler'))['handler'];

beforeAll(async () => {
  setHandlerEnv();
  ({ handler } = await import('../../functions/collector/handler'));
});
afterEach(() => {
  ddb.reset();
  sqs.reset();
});

const batch = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ type: 'page', messageId: `m-${i}`, anonymousId: 'a-1', timestamp: new Date().toISOString() }));

async function post(events: unknown[]) {
  ddb.on(BatchGetItemCommand).resolves({ Responses: {} }); // no stored config: the fresh-stack defaults
  const res = await handler(httpEvent('POST /v1/collect', { writeKey: 'wk_dev', batch: events }), context);
  return { status: res.statusCode, body: JSON.parse(res.body ?? '{}') };
}

describe('collector under SQS faults', () => {
  it('retries only the entries SQS failed, and accepts them all once they go through', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [{ Id: '0', MessageId: 'x', MD5OfMessageBody: '' }], Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] })
      .resolves({ Successful: [{ Id: '1', MessageId: 'y', MD5OfMessageBody: '' }] });
    const res = await post(batch(2));
    expect(res).toEqual({ status: 202, body: { accepted: 2, rejected: [] } });
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.Entries?.map((e) => e.Id)).toEqual(['1']);
  });

  it('reports events SQS keeps refusing as rejected, without losing their neighbours', async () => {
    sqs.on(SendMessageBatchCommand).callsFake(async (input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.filter((e) => e.Id !== '3').map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })),
      Failed: input.Entries.filter((e) => e.Id === '3').map((e) => ({ Id: e.Id, Code: 'ServiceUnavailable', SenderFault: false })),
    }));
    const res = await post(batch(5));
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(4);
    expect(res.body.rejected).toEqual([{ index: 3, code: 'enqueue_failed', message: expect.any(String) }]);
  });

  it('answers a throttled queue call with retries, then succeeds', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .rejectsOnce(awsError('ThrottlingException'))
      .resolves({ Successful: [{ Id: '0', MessageId: 'x', MD5OfMessageBody: '' }] });
    const res = await post(batch(1));
    expect(res).toEqual({ status: 202, body: { accepted: 1, rejected: [] } });
  });
});

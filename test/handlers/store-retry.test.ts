import { BatchGetItemCommand, BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { sendAll } from '@intent/pipeline';
import { type RetryPolicy, Table, UnprocessedItemsError } from '@intent/store';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffMs } from '../../packages/store/src/retry';
import { awsError } from './events';

const ddb = mockClient(DynamoDBClient);
const sqsMock = mockClient(SQSClient);
afterEach(() => {
  ddb.reset();
  sqsMock.reset();
});

/** Four calls at most, waits of a millisecond or two: the loop's shape without its time. */
const FAST: RetryPolicy = { attempts: 4, baseMs: 1, capMs: 2 };
const table = () => new Table(new DynamoDBClient({ region: 'us-east-1' }), 't', FAST);
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: `P#${i}`, sk: 'S' }));
const putRequests = (input: { RequestItems?: Record<string, unknown[]> }) => input.RequestItems?.t ?? [];

describe('batch writes retry unprocessed items a bounded number of times', () => {
  it('gives up after the stated attempts with a named error carrying how many items were left', async () => {
    // DynamoDB keeps answering that three of the chunk's items were not written.
    ddb.on(BatchWriteItemCommand).callsFake(async (input) => ({ UnprocessedItems: { t: putRequests(input).slice(0, 3) } }));
    const error = await table()
      .writeMany(items(10))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnprocessedItemsError);
    expect(error).toMatchObject({ name: 'UnprocessedItemsError', operation: 'BatchWriteItem', remaining: 3, attempts: 4 });
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(4);
  });

  it('sends only the unprocessed items again, and succeeds once they are written', async () => {
    ddb
      .on(BatchWriteItemCommand)
      .callsFakeOnce(async (input) => ({ UnprocessedItems: { t: putRequests(input).slice(7) } }))
      .resolves({});
    await table().writeMany(items(10));
    const calls = ddb.commandCalls(BatchWriteItemCommand);
    expect(calls.map((c) => putRequests(c.args[0].input).length)).toEqual([10, 3]);
  });

  it('retries a throttled call within the same bound, and reports the throttling as the cause', async () => {
    ddb.on(BatchWriteItemCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    const error = (await table()
      .writeMany(items(30))
      .catch((e: unknown) => e)) as UnprocessedItemsError;
    expect(error).toMatchObject({ operation: 'BatchWriteItem', remaining: 25 });
    expect((error.cause as Error).name).toBe('ProvisionedThroughputExceededException');
    // The first chunk of 25 used up its attempts; the second was never sent.
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(4);
  });

  it('does not retry an error that is not throttling', async () => {
    ddb.on(BatchWriteItemCommand).rejects(awsError('ValidationException'));
    await expect(table().writeMany(items(2))).rejects.toMatchObject({ name: 'ValidationException' });
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(1);
  });
});

describe('batch reads retry unprocessed keys a bounded number of times', () => {
  it('gives up after the stated attempts, naming the keys left', async () => {
    ddb.on(BatchGetItemCommand).callsFake(async (input) => ({
      Responses: { t: [] },
      UnprocessedKeys: { t: { ...input.RequestItems.t, Keys: input.RequestItems.t.Keys.slice(0, 5) } },
    }));
    await expect(table().getMany(items(8))).rejects.toMatchObject({
      name: 'UnprocessedItemsError',
      operation: 'BatchGetItem',
      remaining: 5,
      attempts: 4,
    });
    expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(4);
  });

  it('answers every item once the unprocessed keys come through', async () => {
    ddb
      .on(BatchGetItemCommand)
      .callsFakeOnce(async (input) => ({
        Responses: { t: input.RequestItems.t.Keys.slice(0, 6) },
        UnprocessedKeys: { t: { Keys: input.RequestItems.t.Keys.slice(6) } },
      }))
      .callsFake(async (input) => ({ Responses: { t: input.RequestItems.t.Keys } }));
    const read = await table().getMany(items(8));
    expect(read.map((i) => i.pk).sort()).toEqual(items(8).map((i) => i.pk));
  });

  it('retries a throttled read within the bound', async () => {
    ddb.on(BatchGetItemCommand).rejects(awsError('ThrottlingException'));
    await expect(table().getMany(items(3))).rejects.toMatchObject({ name: 'UnprocessedItemsError', remaining: 3 });
    expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(4);
  });
});

describe('jittered exponential backoff', () => {
  it('waits a random time between zero and the capped doubling of the base', () => {
    const policy: RetryPolicy = { attempts: 8, baseMs: 50, capMs: 2000 };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (n, r) => {
        const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (n - 1));
        const wait = backoffMs(n, policy, () => r);
        expect(wait).toBeGreaterThanOrEqual(0);
        expect(wait).toBeLessThanOrEqual(ceiling);
        expect(wait).toBeCloseTo(r * ceiling);
      }),
    );
  });
});

describe('queue sends retry failed entries a bounded number of times', () => {
  it('answers the bodies still failing after the last attempt', async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake(async (input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.filter((e) => e.Id !== '1').map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })),
      Failed: input.Entries.filter((e) => e.Id === '1').map((e) => ({ Id: e.Id, SenderFault: false, Code: 'InternalError' })),
    }));
    const failed = await sendAll(new SQSClient({ region: 'us-east-1' }), 'https://queue.example/q', ['a', 'b', 'c']);
    expect(failed).toEqual([1]);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(4);
  });
});

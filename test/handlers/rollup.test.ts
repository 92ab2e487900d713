import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { IngestMessage } from '@intent/events';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { awsError, context, setHandlerEnv, sqsEvent } from './events';

const ddb = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);
let handler: typeof import('../../functions/rollup/handler')['handler'];

beforeAll(async () => {
  setHandlerEnv();
  ({ handler } = await import('../../functions/rollup/handler'));
});
afterEach(() => {
  ddb.reset();
  sqs.reset();
});

const now = new Date().toISOString();
function message(fields: Partial<IngestMessage>): string {
  const base: IngestMessage = {
    v: 1,
    id: `id-${Math.random().toString(36).slice(2, 12)}`,
    siteId: 'dev',
    messageId: 'm',
    type: 'track',
    signal: 'content_read',
    anonymousId: 'visitor-1',
    person: 'p1',
    timestamp: now,
    receivedAt: now,
    topics: [],
  };
  return JSON.stringify({ ...base, ...fields });
}

function storeWorks() {
  ddb.on(BatchGetItemCommand).resolves({ Responses: {} });
  ddb.on(GetItemCommand).resolves({});
  ddb.on(PutItemCommand).resolves({});
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(UpdateItemCommand).resolves({});
  sqs.on(SendMessageBatchCommand).callsFake(async (input: { Entries: { Id: string }[] }) => ({
    Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })),
  }));
}

const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();

/** A working store whose account rollup of yesterday is throttled; answers yesterday's time. */
function storeThrottlesYesterday(): string {
  storeWorks();
  const yesterday = new Date(Date.now() - 86_400_000).toISOString();
  ddb.on(UpdateItemCommand).callsFake(async (input: { Key: { sk: { S: string } } }) => {
    if (input.Key.sk.S === `R#${yesterday.slice(0, 10)}`) throw awsError('ProvisionedThroughputExceededException');
    return {};
  });
  return yesterday;
}

describe('rollup consumer under DynamoDB faults', () => {
  it('fails only the records of a throttled rollup group, and a malformed record on its own', async () => {
    // The account's rollup of yesterday is throttled; today's is not.
    const yesterday = storeThrottlesYesterday();
    const event = sqsEvent([
      message({ type: 'identify', signal: undefined, identity: { emailDomain: 'acme.example' }, timestamp: twoDaysAgo }),
      message({ topics: ['warehousing'] }),
      message({ topics: ['warehousing'], timestamp: yesterday }),
      'this is not JSON',
    ]);
    const logged: string[] = [];
    // Errors go to stderr, as console.error in Lambda.
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      logged.push(String(chunk));
      return true;
    });
    const res = await handler(event, context).finally(() => spy.mockRestore());
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['record-2', 'record-3']);
    // One log line for the batch names the item that failed and the error.
    const failures = logged.filter((line) => line.includes('rollup writes failed'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain(`rollup acme.example ${yesterday.slice(0, 10)}`);
    expect(failures[0]).toContain('ProvisionedThroughputExceededException');
  });

  it('rolls up each event of a packed message, and fails the message when any of its events fails', async () => {
    const yesterday = storeThrottlesYesterday();
    const packed = (...entries: string[]) => `{"v":1,"kind":"batch","messages":[${entries.join(',')}]}`;
    const identify = message({
      type: 'identify',
      signal: undefined,
      identity: { emailDomain: 'acme.example' },
      timestamp: twoDaysAgo,
    });
    const res = await handler(
      sqsEvent([
        packed(identify, message({ topics: ['warehousing'] })),
        packed(message({ topics: ['lakehouse'] }), message({ topics: ['warehousing'], timestamp: yesterday })),
        // A bare entry, as collectors sent before packing, is still read.
        message({ topics: ['lakehouse'] }),
        packed(),
      ]),
      context,
    );
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['record-1', 'record-3']);
    // Today's account rollup counts today's event of each of the three messages, in one write.
    const today = ddb.commandCalls(UpdateItemCommand).filter((c) => c.args[0].input.Key?.sk?.S === `R#${now.slice(0, 10)}`);
    expect(today).toHaveLength(1);
    // Each id is kept with its event's hour (`HH:id`), where it moves once the item's recent ids are full.
    const idSets = Object.values(today[0]?.args[0].input.ExpressionAttributeValues ?? {}).filter((v) =>
      /^\d\d:id-/.test(v.SS?.[0] ?? ''),
    );
    expect(idSets.map((v) => v.SS?.length)).toEqual([3]);
  });

  it('fails the records of an account whose re-score cannot be saved, so redelivery finishes it', async () => {
    storeWorks();
    ddb.on(UpdateItemCommand).callsFake(async (input: { Key: { sk: { S: string } } }) => {
      if (input.Key.sk.S === 'A') throw awsError('InternalServerError');
      return {};
    });
    const res = await handler(
      sqsEvent([
        message({ type: 'identify', signal: undefined, identity: { emailDomain: 'acme.example' } }),
        message({ topics: ['warehousing'] }),
      ]),
      context,
    );
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['record-1']);
  });

  it('fails the identify whose stitching cannot read the visitor’s pending events, so redelivery stitches', async () => {
    storeWorks();
    ddb.on(QueryCommand).callsFake(async (input: { ExpressionAttributeValues?: Record<string, { S?: string }> }) => {
      // Stitching's read of the visitor's pending days.
      const values = input.ExpressionAttributeValues;
      if (values?.[':pk']?.S?.startsWith('PV#') && values[':from']) throw awsError('ProvisionedThroughputExceededException');
      return { Items: [] };
    });
    const res = await handler(
      sqsEvent([
        message({ topics: ['warehousing'], anonymousId: 'other' }),
        message({ type: 'identify', signal: undefined, identity: { emailDomain: 'acme.example' } }),
      ]),
      context,
    );
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['record-1']);
  });

  it('retries a rollup write whose events were partly counted before, without counting them twice', async () => {
    storeWorks();
    const duplicate = message({ id: 'already-counted', topics: ['warehousing'] });
    const fresh = message({ id: 'new-event', topics: ['warehousing'] });
    ddb
      .on(GetItemCommand)
      .callsFake(async (input: { Key: { sk: { S: string } } }) =>
        input.Key.sk.S.startsWith('R#') ? { Item: { ids: { SS: ['already-counted'] } } } : {},
      );
    // The first rollup write loses a race (other writes, such as the identify's claim, do not).
    let rollupRaced = false;
    ddb.on(UpdateItemCommand).callsFake(async (input: { Key: { sk: { S?: string } } }) => {
      if (rollupRaced || !input.Key.sk.S?.startsWith('R#')) return {};
      rollupRaced = true;
      throw awsError('ConditionalCheckFailedException');
    });
    ddb.on(PutItemCommand).resolves({});
    const res = await handler(
      sqsEvent([message({ type: 'identify', signal: undefined, identity: { emailDomain: 'acme.example' } }), duplicate, fresh]),
      context,
    );
    expect(res.batchItemFailures).toEqual([]);
    const rollupWrites = ddb
      .commandCalls(UpdateItemCommand)
      .map((c) => c.args[0].input)
      .filter((input) => input.Key?.sk?.S?.startsWith('R#'));
    expect(rollupWrites).toHaveLength(2);
    const second = rollupWrites[1];
    const idsName = Object.entries(second?.ExpressionAttributeNames ?? {}).find(([, attr]) => attr === 'ids')?.[0];
    const idsValue = second?.UpdateExpression?.match(new RegExp(`${idsName} (:\\w+)`))?.[1] ?? '';
    expect(second?.ExpressionAttributeValues?.[idsValue]).toEqual({ SS: [`${now.slice(11, 13)}:new-event`] });
  });

  it('writes nothing to a rollup whose batch read shows every event counted, and counts a concurrent writer’s events once', async () => {
    storeWorks();
    const identify = message({ type: 'identify', signal: undefined, identity: { emailDomain: 'acme.example' } });
    const replayed = [message({ id: 'seen-0001', topics: ['warehousing'] }), message({ id: 'seen-0002', topics: ['lakehouse'] })];
    const rollupSk = `R#${now.slice(0, 10)}`;
    ddb
      .on(BatchGetItemCommand)
      .callsFake(async (input: { RequestItems: Record<string, { Keys: { pk: { S: string }; sk: { S: string } }[] }> }) => {
        const [table, request] = Object.entries(input.RequestItems)[0] ?? [];
        const rollup = request?.Keys.find((k) => k.sk.S === rollupSk);
        return {
          Responses: { [table ?? '']: rollup ? [{ ...rollup, ids: { SS: ['seen-0001', 'seen-0002'] }, ver: { N: '3' } }] : [] },
        };
      });
    const replay = await handler(sqsEvent([identify, ...replayed]), context);
    expect(replay.batchItemFailures).toEqual([]);
    const rollupWrites = () => ddb.commandCalls(UpdateItemCommand).filter((c) => c.args[0].input.Key?.sk?.S === rollupSk);
    expect(rollupWrites()).toHaveLength(0);

    // A new event whose id another batch adds between the batch read and the write: the
    // write's condition fails, the re-read shows it, and nothing is written twice.
    ddb.resetHistory();
    ddb.on(UpdateItemCommand).callsFake(async (input: { Key: { sk: { S: string } }; ConditionExpression?: string }) => {
      if (input.Key.sk.S === rollupSk) throw awsError('ConditionalCheckFailedException');
      return {};
    });
    ddb
      .on(GetItemCommand)
      .callsFake(async (input: { Key: { sk: { S: string } } }) =>
        input.Key.sk.S === rollupSk ? { Item: { ids: { SS: ['seen-0001', 'seen-0002', 'raced-001'] }, ver: { N: '4' } } } : {},
      );
    const raced = await handler(sqsEvent([identify, message({ id: 'raced-001', topics: ['warehousing'] })]), context);
    expect(raced.batchItemFailures).toEqual([]);
    expect(rollupWrites()).toHaveLength(1);
    // Every counter write is guarded by the version it read.
    expect(rollupWrites()[0]?.args[0].input.ConditionExpression).toBe('#ver = :was');
  });

  it('fails the records of users whose new links could not be written, and only those', async () => {
    storeWorks();
    ddb.on(BatchWriteItemCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    const res = await handler(
      sqsEvent([
        message({ type: 'identify', signal: undefined, userHash: 'user-a', identity: { emailDomain: 'acme.example' } }),
        message({ userHash: 'user-a', topics: ['warehousing'] }),
        message({ anonymousId: 'visitor-2', topics: ['warehousing'] }),
      ]),
      context,
    );
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['record-0', 'record-1']);
    expect(ddb.commandCalls(BatchWriteItemCommand)[0]?.args[0].input.RequestItems).toBeDefined();
  });
});

describe('rollup consumer: why records failed, for npm run dlq', () => {
  it('writes down the reason of each failed record, 100 per batch at most, those nearest their last attempt first', async () => {
    storeWorks();
    ddb.on(BatchWriteItemCommand).resolves({});
    const event = sqsEvent(Array.from({ length: 150 }, () => 'not json'));
    // Record i was received (i % 5) + 1 times, 30 records each count: the 90 received 3 to 5 times, then 10 of the twice-received.
    event.Records.forEach((r, i) => {
      r.attributes.ApproximateReceiveCount = String((i % 5) + 1);
    });
    const res = await handler(event, context);
    expect(res.batchItemFailures).toHaveLength(150);
    const items = ddb
      .commandCalls(BatchWriteItemCommand)
      .flatMap((c) => Object.values(c.args[0].input.RequestItems ?? {}).flat())
      .map((w) => w.PutRequest?.Item)
      .filter((item) => item?.pk?.S?.startsWith('INGESTFAIL#'));
    expect(items).toHaveLength(100);
    const counts = items.map((item) => Number(item?.receiveCount?.N));
    expect(counts.filter((n) => n >= 3)).toHaveLength(90);
    expect(counts.filter((n) => n === 2)).toHaveLength(10);
    expect(items[0]?.reason?.S).toBe('malformed ingest message: not an IngestBody');
    expect(Number(items[0]?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000 + 13 * 86_400);
  });

  it('still answers its failures when the reasons cannot be written', async () => {
    storeWorks();
    ddb.on(BatchWriteItemCommand).rejects(awsError('InternalServerError'));
    const res = await handler(sqsEvent(['not json']), context);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'record-0' }]);
  });
});

import { BatchGetItemCommand, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { Store } from '@intent/store';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { awsError } from '../handlers/events';

const ddb = mockClient(DynamoDBClient);
afterEach(() => ddb.reset());

const store = new Store(new DynamoDBClient({ region: 'us-east-1' }), 'tbl');
const DAY = '2026-11-20';
const ids = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `event-${String(from + i).padStart(4, '0')}`);
const group = (eventIds: string[]) => ({
  domain: 'acme.example',
  day: DAY,
  events: eventIds.map((id) => ({
    id,
    signal: 'content_read' as const,
    topics: ['warehousing'],
    identified: false,
    person: 'p1',
  })),
});
/** The ids an update adds, and its condition. */
const written = (i: number) => {
  const input = ddb.commandCalls(UpdateItemCommand)[i]?.args[0].input;
  const idsName = Object.entries(input?.ExpressionAttributeNames ?? {}).find(([, attr]) => attr === 'ids')?.[0];
  const idsValue = input?.UpdateExpression?.match(new RegExp(`${idsName} (:\\w+)`))?.[1] ?? '';
  return {
    ids: input?.ExpressionAttributeValues?.[idsValue]?.SS ?? [],
    condition: input?.ConditionExpression,
    values: input?.ExpressionAttributeValues,
  };
};

describe('adding a large group to a counter item (more new events than a condition can name)', () => {
  it('writes what the batch read shows new in one update guarded by the version read, and retries a lost race from a consistent read', async () => {
    ddb.on(BatchGetItemCommand).resolves({
      Responses: { tbl: [{ pk: { S: 'ACCT#acme.example' }, sk: { S: `R#${DAY}` }, ids: { SS: ids(0, 10) }, ver: { N: '7' } }] },
    });
    ddb.on(UpdateItemCommand).rejectsOnce(awsError('ConditionalCheckFailedException')).resolves({});
    // The concurrent writer counted 20 more of them.
    ddb.on(GetItemCommand).resolves({ Item: { ids: { SS: ids(0, 30) }, ver: { N: '8' } } });

    const counted = await store.rollups.counted([{ domain: 'acme.example', day: DAY }]);
    expect(await store.rollups.add(group(ids(0, 130)), counted)).toBe(100);

    expect(written(0)).toMatchObject({ ids: ids(10, 130), condition: '#ver = :was', values: { ':was': { N: '7' } } });
    expect(ddb.commandCalls(GetItemCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
    expect(written(1)).toMatchObject({ ids: ids(30, 130), condition: '#ver = :was', values: { ':was': { N: '8' } } });
  });

  it('writes nothing when the batch read shows every event counted', async () => {
    ddb.on(BatchGetItemCommand).resolves({
      Responses: { tbl: [{ pk: { S: 'ACCT#acme.example' }, sk: { S: `R#${DAY}` }, ids: { SS: ids(0, 130) }, ver: { N: '3' } }] },
    });
    const counted = await store.rollups.counted([{ domain: 'acme.example', day: DAY }]);
    expect(await store.rollups.add(group(ids(0, 130)), counted)).toBe(0);
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });
});

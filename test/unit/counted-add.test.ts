import { BatchGetItemCommand, DynamoDBClient, GetItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { Store } from '@intent/store';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
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
    slot: '09',
    signal: 'content_read' as const,
    topics: ['warehousing'],
    identified: false,
    person: 'p1',
  })),
});
const inSlot = (eventIds: string[]) => eventIds.map((id) => `09:${id}`);
/** The ids an update adds, and its condition. */
const written = (i: number) => {
  const input = ddb.commandCalls(UpdateItemCommand)[i]?.args[0].input;
  return {
    key: input?.Key?.sk?.S,
    // A counter write adds `:ids`; a page write adds `:members`.
    ids: (input?.ExpressionAttributeValues?.[':ids'] ?? input?.ExpressionAttributeValues?.[':members'])?.SS ?? [],
    condition: input?.ConditionExpression,
    values: input?.ExpressionAttributeValues,
  };
};

describe('adding events to a counter item', () => {
  it('writes what the batch read shows new in one update guarded by the version read, and retries a lost race from a consistent read', async () => {
    ddb.on(BatchGetItemCommand).resolves({
      // Counted before slots existed: bare ids.
      Responses: { tbl: [{ pk: { S: 'ACCT#acme.example' }, sk: { S: `R#${DAY}` }, ids: { SS: ids(0, 10) }, ver: { N: '7' } }] },
    });
    ddb.on(UpdateItemCommand).rejectsOnce(awsError('ConditionalCheckFailedException')).resolves({});
    // The concurrent writer counted 20 more of them.
    ddb.on(GetItemCommand).resolves({ Item: { ids: { SS: [...ids(0, 10), ...inSlot(ids(10, 30))] }, ver: { N: '8' } } });

    const g = group(ids(0, 130));
    const counted = await store.rollups.counted([g]);
    expect(await store.rollups.add(g, counted)).toEqual({ added: 100, leftOut: 0 });

    expect(written(0)).toMatchObject({ ids: inSlot(ids(10, 130)), condition: '#ver = :was', values: { ':was': { N: '7' } } });
    expect(ddb.commandCalls(GetItemCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
    expect(written(1)).toMatchObject({ ids: inSlot(ids(30, 130)), condition: '#ver = :was', values: { ':was': { N: '8' } } });
  });

  it('writes nothing when the batch read shows every event counted', async () => {
    ddb.on(BatchGetItemCommand).resolves({
      Responses: {
        tbl: [{ pk: { S: 'ACCT#acme.example' }, sk: { S: `R#${DAY}` }, ids: { SS: inSlot(ids(0, 130)) }, ver: { N: '3' } }],
      },
    });
    const g = group(ids(0, 130));
    expect(await store.rollups.add(g, await store.rollups.counted([g]))).toEqual({ added: 0, leftOut: 0 });
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });

  it('moves the recent ids to the hour’s seen page before they would pass the limit, then forgets them on the counter', async () => {
    ddb.on(BatchGetItemCommand).resolves({
      Responses: {
        tbl: [{ pk: { S: 'ACCT#acme.example' }, sk: { S: `R#${DAY}` }, ids: { SS: inSlot(ids(0, 1_800)) }, ver: { N: '12' } }],
      },
    });
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(UpdateItemCommand).resolves({});
    const g = group(ids(0, 2_200));
    expect(await store.rollups.add(g, await store.rollups.counted([g]))).toEqual({ added: 400, leftOut: 0 });

    const page = written(0);
    expect(page).toMatchObject({ key: `S#R#${DAY}#09#0000`, ids: ids(0, 1_800) });
    // A page never passes its size, whoever else appends to it.
    expect(page.condition).toBe('attribute_not_exists(#set) OR size(#set) <= :room');
    const forget = ddb.commandCalls(UpdateItemCommand)[1]?.args[0].input;
    expect(forget?.UpdateExpression).toBe('DELETE #ids :moved ADD #ver :one, #m0 :one');
    expect(forget?.ConditionExpression).toBe('#ver = :was');
    expect(written(2)).toMatchObject({ key: `R#${DAY}`, ids: inSlot(ids(1_800, 2_200)), values: { ':was': { N: '13' } } });
  });

  it('appends to the next page when the hour’s last page is full', async () => {
    ddb.on(BatchGetItemCommand).resolves({
      Responses: {
        tbl: [
          {
            pk: { S: 'ACCT#acme.example' },
            sk: { S: `R#${DAY}` },
            ids: { SS: inSlot(ids(0, 1_800)) },
            'mv#09': { N: '4' },
            ver: { N: '40' },
          },
        ],
      },
    });
    ddb.on(QueryCommand).resolves({ Items: [{ sk: { S: `S#R#${DAY}#09#0003` }, ids: { SS: ids(5_000, 5_050) } }] });
    // Another writer filled page 3 meanwhile.
    ddb.on(UpdateItemCommand).callsFake(async (input: { Key: { sk: { S: string } } }) => {
      if (input.Key.sk.S.endsWith('#0003')) throw awsError('ConditionalCheckFailedException');
      return {};
    });
    const g = group(ids(0, 2_200));
    expect((await store.rollups.add(g, await store.rollups.counted([g]))).added).toBe(400);
    expect(ddb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input.Key?.sk?.S)).toEqual([
      `S#R#${DAY}#09#0003`,
      `S#R#${DAY}#09#0004`,
      `R#${DAY}`,
      `R#${DAY}`,
    ]);
  });

  it('gives up on an item after forty lost races in a row, naming it', async () => {
    ddb.on(BatchGetItemCommand).resolves({ Responses: { tbl: [] } });
    ddb.on(GetItemCommand).resolves({});
    ddb.on(UpdateItemCommand).rejects(awsError('ConditionalCheckFailedException'));
    // No jittered wait between the attempts: the test is about how many there are.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0);
    onTestFinished(() => random.mockRestore());
    const g = group(ids(0, 3));
    await expect(store.rollups.add(g, await store.rollups.counted([g]))).rejects.toThrow(
      `counter ACCT#acme.example R#${DAY} lost 40 races in a row`,
    );
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(40);
  });
});

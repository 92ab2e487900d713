import { BatchGetItemCommand, DynamoDBClient, GetItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { Store } from '@intent/store';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { clearSeenCache } from '../../packages/store/src/counter-state';
import { awsError } from '../handlers/events';

const ddb = mockClient(DynamoDBClient);
afterEach(() => {
  ddb.reset();
  clearSeenCache();
});

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

  it('moves the recent ids to the page of their hour’s next move before they would pass the limit, then forgets them on the counter', async () => {
    ddb.on(BatchGetItemCommand).resolves({
      Responses: {
        tbl: [
          {
            pk: { S: 'ACCT#acme.example' },
            sk: { S: `R#${DAY}` },
            ids: { SS: inSlot(ids(0, 1_800)) },
            'mv#09': { N: '2' },
            ver: { N: '12' },
          },
        ],
      },
    });
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(UpdateItemCommand).resolves({});
    const g = group(ids(0, 2_200));
    expect(await store.rollups.add(g, await store.rollups.counted([g]))).toEqual({ added: 400, leftOut: 0 });

    // Move 2 of hour 09 writes page 2: a page only ever gets the ids the counter held before its move.
    const page = written(0);
    expect(page).toMatchObject({ key: `S#R#${DAY}#09#000002`, ids: ids(0, 1_800), condition: undefined });
    const forget = ddb.commandCalls(UpdateItemCommand)[1]?.args[0].input;
    expect(forget?.UpdateExpression).toBe('DELETE #ids :moved ADD #ver :one, #m0 :one');
    expect(forget?.ConditionExpression).toBe('#ver = :was');
    expect(written(2)).toMatchObject({ key: `R#${DAY}`, ids: inSlot(ids(1_800, 2_200)), values: { ':was': { N: '13' } } });
  });

  it('reads an hour’s seen pages once per process, then only the pages of later moves, consistently', async () => {
    const counter = (moves: number, born = 'b1') => ({
      Responses: {
        tbl: [
          {
            pk: { S: 'ACCT#acme.example' },
            sk: { S: `R#${DAY}` },
            ids: { SS: inSlot(ids(900, 1_000)) },
            'mv#09': { N: String(moves) },
            born: { S: born },
            ver: { N: '40' },
          },
        ],
      },
    });
    ddb.on(UpdateItemCommand).resolves({});
    const g = group(ids(0, 1_100));
    const batch = async (moves: number, pageIds: string[], born?: string) => {
      ddb.on(BatchGetItemCommand).resolves(counter(moves, born));
      ddb.on(QueryCommand).resolves({ Items: [{ ids: { SS: pageIds } }] });
      return (await store.rollups.add(g, await store.rollups.counted([g]))).added;
    };
    const queries = () => ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);

    // Pages 0..3 hold events 0..799; the counter 900..999: 800..899 and 1,000..1,099 are new.
    expect(await batch(4, ids(0, 800))).toBe(200);
    expect(queries()).toHaveLength(1);
    expect(queries()[0]).toMatchObject({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :from)', ConsistentRead: true });

    // Two moves later (another process wrote them): only pages 4 and 5 are read.
    expect(await batch(6, ids(800, 900))).toBe(100);
    expect(queries()).toHaveLength(2);
    expect(queries()[1]).toMatchObject({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':from': { S: `S#R#${DAY}#09#000004` }, ':to': { S: `S#R#${DAY}#09#000005` } },
      ConsistentRead: true,
    });

    // No move since: nothing is read.
    await batch(6, []);
    expect(queries()).toHaveLength(2);

    // The item was created again (another incarnation): its pages are read from the first.
    expect(await batch(6, ids(0, 100), 'b2')).toBe(900);
    expect(queries()[2]).toMatchObject({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :from)' });
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

import {
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type Config, SECTION_SCHEMAS, type SectionName } from '@intent/config';
import { configuredTopics, normalizeEvent } from '@intent/events';
import { describe, expect, test } from 'vitest';
import { DynamoCounter, kindOf } from '../../bench/dynamo-counter';
import { generateFallback } from '../../bench/fallback-demo';
import { toBatches } from '../../bench/workload';

const S = (s: string) => ({ S: s });

/** A client that never reaches the network: a build-step middleware answers every call. */
function fakeClient(fail?: (commandName: string) => string | undefined): DynamoDBClient {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  client.middlewareStack.add(
    (_next, context) => async () => {
      const error = fail?.(String(context.commandName));
      if (error) throw Object.assign(new Error(error), { name: error });
      return { output: { $metadata: {} }, response: {} };
    },
    { step: 'build', name: 'fakeDynamo' },
  );
  return client;
}

describe('bench DynamoCounter', () => {
  test('counts one write per Put/Update and one per BatchWriteItem item, by kind of key', async () => {
    const client = fakeClient();
    const counter = new DynamoCounter();
    counter.install(client);
    counter.start();
    await client.send(
      new PutItemCommand({ TableName: 't', Item: { pk: S('VISITOR#v1'), sk: S('LINK'), domain: S('a.example') } }),
    );
    await client.send(new UpdateItemCommand({ TableName: 't', Key: { pk: S('ACCT#a.example'), sk: S('R#2024-06-01#none') } }));
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          t: [
            { PutRequest: { Item: { pk: S('ACCT#a.example'), sk: S('A') } } },
            { DeleteRequest: { Key: { pk: S('SITE#dw'), sk: S('D#2024-06-01') } } },
          ],
        },
      }),
    );
    await client.send(new GetItemCommand({ TableName: 't', Key: { pk: S('USER#h'), sk: S('LINK') } }));
    await client.send(
      new QueryCommand({
        TableName: 't',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': S('ACCT#a.example'), ':from': S('R#2024-05-01') },
      }),
    );
    const counts = counter.stop();

    expect(counts.writes).toBe(4);
    expect(counts.reads).toBe(2);
    expect(counts.writesByKind).toEqual({
      'visitor link (VISITOR# LINK)': 1,
      'rollup (ACCT# R#)': 1,
      'account score (ACCT# A)': 1,
      'site daily activity (SITE# D#)': 1,
    });
    expect(counts.readsByKind).toEqual({ 'user link (USER# LINK)': 1, 'query rollup (ACCT# R#)': 1 });
    expect(counts.byOperation.BatchWriteItem).toMatchObject({ calls: 1, items: 2 });
  });

  test('a failed conditional write still counts as a write, and is reported as failed', async () => {
    const client = fakeClient((name) => (name === 'UpdateItemCommand' ? 'ConditionalCheckFailedException' : undefined));
    const counter = new DynamoCounter();
    counter.install(client);
    counter.start();
    await expect(
      client.send(new UpdateItemCommand({ TableName: 't', Key: { pk: S('ACCT#a.example'), sk: S('R#d#t') } })),
    ).rejects.toThrow();
    const counts = counter.stop();

    expect(counts.writes).toBe(1);
    expect(counts.failedWritesByKind).toEqual({ 'rollup (ACCT# R#)': 1 });
    expect(counts.byOperation.UpdateItem).toMatchObject({ calls: 1, failed: 1, conditionalCheckFailed: 1 });
  });

  test('counts nothing outside start()..stop(), and installing twice counts once', async () => {
    const client = fakeClient();
    const counter = new DynamoCounter();
    counter.install(client);
    counter.install(client);
    await client.send(new PutItemCommand({ TableName: 't', Item: { pk: S('CONFIG'), sk: S('sites') } }));
    counter.start();
    await client.send(new PutItemCommand({ TableName: 't', Item: { pk: S('CONFIG'), sk: S('sites') } }));
    expect(counter.stop().writes).toBe(1);
  });

  test('kindOf names unknown shapes by their prefixes, never by free-form sort keys', () => {
    expect(kindOf({ pk: S('CONFIG'), sk: S('sites') })).toBe('CONFIG');
    expect(kindOf({ pk: S('APIKEY#abc'), sk: S('KEY') })).toBe('APIKEY# KEY');
    expect(kindOf({ pk: S('ACCT#a.example'), sk: S('X#2024') })).toBe('ACCT# X#');
    expect(kindOf({ pk: S('PUSH#default'), sk: S('2024-06-01T10:00:00.000Z#a.example') })).toBe('pod push log (PUSH#)');
    expect(kindOf({ pk: S('WON'), sk: S('a.example') })).toBe('WON');
    expect(kindOf(undefined)).toBe('unknown');
  });
});

describe('bench workload', () => {
  test('batches hold at most 100 events of one write key, in order, write keys interleaved, sent with the site’s server key', () => {
    const events = [
      ...Array.from({ length: 150 }, (_, i) => ({ writeKey: 'a', event: { n: i } })),
      ...Array.from({ length: 20 }, (_, i) => ({ writeKey: 'b', event: { n: i } })),
    ];
    const batches = toBatches(events, new Map([['a', { origin: 'https://a.example', key: 'sk_a' }]]));
    expect(batches.map((b) => [b.writeKey, b.events.length, b.origin])).toEqual([
      ['sk_a', 100, 'https://a.example'],
      ['b', 20, undefined],
      ['sk_a', 50, 'https://a.example'],
    ]);
    expect(batches[2]?.events[0]).toEqual({ n: 100 });
  });

  test('the fallback generator is deterministic, and every event passes the collector with all its topics counted', () => {
    const endDate = new Date('2024-06-30T12:00:00Z');
    const data = generateFallback({ seed: 7, endDate, scale: 0.05 });
    expect(generateFallback({ seed: 7, endDate, scale: 0.05 })).toEqual(data);
    const config = Object.fromEntries(
      Object.entries(data.config).map(([name, value]) => [name, SECTION_SCHEMAS[name as SectionName].parse(value)]),
    ) as unknown as Config;
    expect(data.events.length).toBeGreaterThan(100);
    for (const { writeKey, event } of data.events) {
      const site = config.sites.sites.find((s) => s.writeKey === writeKey);
      expect(site).toBeDefined();
      const outcome = normalizeEvent(event, {
        site: site!,
        source: 'browser',
        signals: config.signals,
        topics: configuredTopics(config.topics),
        receivedAt: endDate,
        hashSecret: 's',
      });
      expect(outcome.kind).toBe('accepted');
      // Its topics section names every topic it declares: none is left out.
      expect(outcome.kind === 'accepted' && outcome.ignoredTopics).toBe(0);
    }
  });
});

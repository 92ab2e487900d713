import { dynamoBackendFromEnv } from '@intent/local';
import { ENV } from '@intent/resources';
import { Table } from '@intent/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, stopTestStack, type TestStack } from './harness';

/**
 * AWS refuses an item over 400 KB and an expression string over 4 KB with a ValidationException.
 * DynamoDB Local (the conformance project) does too; dynalite (the default) refuses the item but
 * not the expression, which is why the integration tests run a second time on DynamoDB Local.
 * Every write goes through the store's own `Table` on the stack's client.
 */
const ITEM_LIMIT = 400 * 1024;
const EXPRESSION_LIMIT = 4096;
type Key = Parameters<Table['get']>[0];
const backend = dynamoBackendFromEnv();
const onDynamoDbLocal = it.runIf(backend === 'ddb-local');
const onDynalite = it.runIf(backend === 'dynalite');

describe(`DynamoDB limits on ${backend}`, () => {
  let stack: TestStack;
  let table: Table;

  beforeAll(async () => {
    stack = await startTestStack();
    table = new Table(stack.dynamo, process.env[ENV.tableName] ?? '');
  });
  afterAll(() => stopTestStack(stack));

  const key = (name: string): Key => ({ pk: `LIMITS#${name}`, sk: 'LIMITS' });
  /** An item of exactly `bytes` by DynamoDB's count: UTF-8 lengths of the names and string values. */
  const itemOf = (k: Key, bytes: number) => {
    const fixed = 'pk'.length + k.pk.length + 'sk'.length + k.sk.length + 'blob'.length;
    return { ...k, blob: 'x'.repeat(bytes - fixed) };
  };

  onDynamoDbLocal('refuses a put that makes an item over 400 KB, and takes one of exactly 400 KB', async () => {
    const atLimit = itemOf(key('at-limit'), ITEM_LIMIT);
    await table.writeMany([atLimit]);
    expect((await table.get(key('at-limit')))?.blob).toHaveLength(atLimit.blob.length);

    await expect(table.writeMany([itemOf(key('over'), ITEM_LIMIT + 1)])).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/Item size has exceeded the maximum allowed size/),
    });
  });

  onDynamoDbLocal('refuses an update that grows an item past 400 KB', async () => {
    const grow = (half: string) =>
      table.updateIf(key('grows'), {
        UpdateExpression: `SET ${half} = :v`,
        ExpressionAttributeValues: { ':v': { S: 'x'.repeat(ITEM_LIMIT / 2) } },
      });
    expect(await grow('a')).toBe(true);
    await expect(grow('b')).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/Item size to update has exceeded the maximum allowed size/),
    });
  });

  onDynamoDbLocal('refuses an UpdateExpression over 4 KB, and takes one of exactly 4 KB', async () => {
    expect(await table.updateIf(key('update'), setMany(EXPRESSION_LIMIT))).toBe(true);
    await expect(table.updateIf(key('update'), setMany(EXPRESSION_LIMIT + 1))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/Invalid UpdateExpression: Expression size has exceeded the maximum allowed size/),
    });
  });

  onDynamoDbLocal('refuses a ConditionExpression over 4 KB, and takes one of exactly 4 KB', async () => {
    expect(await table.updateIf(key('condition'), conditionOn(EXPRESSION_LIMIT))).toBe(true);
    await expect(table.updateIf(key('condition'), conditionOn(EXPRESSION_LIMIT + 1))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/Invalid ConditionExpression: Expression size has exceeded the maximum allowed size/),
    });
  });

  onDynalite('dynalite takes the over-long expressions that AWS refuses (and refuses the big item)', async () => {
    expect(await table.updateIf(key('update'), setMany(EXPRESSION_LIMIT + 1000))).toBe(true);
    expect(await table.updateIf(key('condition'), conditionOn(EXPRESSION_LIMIT + 1000))).toBe(true);
    await expect(table.writeMany([itemOf(key('over'), ITEM_LIMIT + 1)])).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

/**
 * `SET #n0 = :v, #n1 = :v, ...` of exactly `length` characters: as many terms as fit, padded with
 * spaces after SET (whitespace counts towards the limit as AWS measures it).
 */
function setMany(length: number) {
  const { body, names } = terms(length - 'SET '.length, (i) => `#n${i} = :v`, ', ');
  return {
    UpdateExpression: `SET ${body}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ':v': { N: '1' } },
  };
}

/** `SET #done = :v` under `attribute_not_exists(#n0) AND ...` of exactly `length` characters. */
function conditionOn(length: number) {
  const { body, names } = terms(length, (i) => `attribute_not_exists(#n${i})`, ' AND ');
  return {
    UpdateExpression: 'SET #done = :v',
    ConditionExpression: body,
    ExpressionAttributeNames: { ...names, '#done': 'done' },
    ExpressionAttributeValues: { ':v': { N: '1' } },
  };
}

function terms(length: number, term: (i: number) => string, separator: string) {
  const names: Record<string, string> = {};
  let body = '';
  for (let i = 0; ; i++) {
    const next = (body ? separator : '') + term(i);
    if (body.length + next.length > length) break;
    body += next;
    names[`#n${i}`] = `attribute${i}`;
  }
  return { body: ' '.repeat(length - body.length) + body, names };
}

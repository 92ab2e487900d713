import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { Table } from '@intent/store';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { toAttr } from '../../packages/store/src/table';
import { awsError } from '../handlers/events';

const ddb = mockClient(DynamoDBClient);
afterEach(() => {
  ddb.reset();
});

const table = new Table(new DynamoDBClient({ region: 'us-east-1' }), 't');
const key = { pk: 'P#1', sk: 'S' };
const putInput = () => ddb.commandCalls(PutItemCommand)[0]?.args[0].input;
const updateInput = () => ddb.commandCalls(UpdateItemCommand)[0]?.args[0].input;

describe('Table.put sends the condition and ReturnValues asked for, and answers the Attributes returned', () => {
  it('sends a plain put with nothing but the table and the item, and answers undefined', async () => {
    ddb.on(PutItemCommand).resolves({});
    await expect(table.put({ ...key, n: 1 })).resolves.toBeUndefined();
    expect(putInput()).toEqual({ TableName: 't', Item: toAttr({ ...key, n: 1 }) });
  });

  it('answers the item replaced when asked for ALL_OLD', async () => {
    ddb.on(PutItemCommand).resolves({ Attributes: toAttr({ ...key, n: 1 }) });
    const condition = {
      ConditionExpression: 'attribute_not_exists(pk) OR #n < :n',
      ExpressionAttributeNames: { '#n': 'n' },
      ExpressionAttributeValues: toAttr({ ':n': 2 }),
      ReturnValues: 'ALL_OLD' as const,
    };
    await expect(table.put({ ...key, n: 2 }, condition)).resolves.toEqual({ ...key, n: 1 });
    expect(putInput()).toEqual({ ...condition, TableName: 't', Item: toAttr({ ...key, n: 2 }) });
  });

  it('throws a failed condition', async () => {
    ddb.on(PutItemCommand).rejects(awsError('ConditionalCheckFailedException'));
    await expect(table.put(key, { ConditionExpression: 'attribute_not_exists(pk)' })).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
  });
});

describe('Table.putIf answers whether its conditional put wrote the item', () => {
  it('answers true when the put applied, sending its condition', async () => {
    ddb.on(PutItemCommand).resolves({});
    await expect(table.putIf(key, { ConditionExpression: 'attribute_not_exists(pk)' })).resolves.toBe(true);
    expect(putInput()).toEqual({ TableName: 't', Item: toAttr(key), ConditionExpression: 'attribute_not_exists(pk)' });
  });

  it('answers false when its condition failed', async () => {
    ddb.on(PutItemCommand).rejects(awsError('ConditionalCheckFailedException'));
    await expect(table.putIf(key, { ConditionExpression: 'attribute_not_exists(pk)' })).resolves.toBe(false);
  });

  it('throws any other error', async () => {
    ddb.on(PutItemCommand).rejects(awsError('ValidationException'));
    await expect(table.putIf(key, { ConditionExpression: 'attribute_not_exists(pk)' })).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});

describe('Table.update sends the ReturnValues asked for and answers the Attributes returned', () => {
  it.each(['ALL_OLD', 'ALL_NEW', 'UPDATED_OLD', 'UPDATED_NEW'] as const)(
    'with %s, answers the Attributes unmarshalled',
    async (returns) => {
      ddb.on(UpdateItemCommand).resolves({ Attributes: toAttr({ seq: 3 }) });
      const update = { UpdateExpression: 'ADD #seq :n', ExpressionAttributeNames: { '#seq': 'seq' }, ReturnValues: returns };
      await expect(table.update(key, update)).resolves.toEqual({ seq: 3 });
      expect(updateInput()).toEqual({ ...update, TableName: 't', Key: toAttr(key) });
    },
  );

  it('without ReturnValues, sends none and answers undefined', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    await expect(table.update(key, { UpdateExpression: 'REMOVE a' })).resolves.toBeUndefined();
    expect(updateInput()).toEqual({ TableName: 't', Key: toAttr(key), UpdateExpression: 'REMOVE a' });
  });

  it('throws a failed condition', async () => {
    ddb.on(UpdateItemCommand).rejects(awsError('ConditionalCheckFailedException'));
    await expect(
      table.update(key, { UpdateExpression: 'REMOVE a', ConditionExpression: 'attribute_exists(pk)', ReturnValues: 'ALL_NEW' }),
    ).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  });
});

describe('Table.tryUpdate and tryPut answer a failed condition as undefined, and what was returned otherwise', () => {
  const condition = { ConditionExpression: 'attribute_exists(pk)', ReturnValues: 'ALL_OLD' as const };

  it('answers the Attributes returned, or none, wrapped apart from a failed condition', async () => {
    ddb
      .on(UpdateItemCommand)
      .resolvesOnce({ Attributes: toAttr({ ...key, n: 1 }) })
      .resolvesOnce({});
    await expect(table.tryUpdate(key, { UpdateExpression: 'SET n = :n', ...condition })).resolves.toEqual({
      attributes: { ...key, n: 1 },
    });
    await expect(table.tryUpdate(key, { UpdateExpression: 'SET n = :n' })).resolves.toEqual({ attributes: undefined });
    ddb.on(PutItemCommand).resolves({});
    await expect(table.tryPut(key, condition)).resolves.toEqual({ attributes: undefined });
  });

  it('answers undefined for a failed condition and throws any other error', async () => {
    ddb.on(UpdateItemCommand).rejects(awsError('ConditionalCheckFailedException'));
    await expect(table.tryUpdate(key, { UpdateExpression: 'SET n = :n', ...condition })).resolves.toBeUndefined();
    ddb.on(PutItemCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    await expect(table.tryPut(key, condition)).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
  });
});

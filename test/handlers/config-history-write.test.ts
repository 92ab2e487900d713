import { BatchWriteItemCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { defaultSection } from '@intent/config';
import { Store } from '@intent/store';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { awsError } from './events';

const ddb = mockClient(DynamoDBClient);
afterEach(() => ddb.reset());

/**
 * A configuration change whose history write fails after the section was stored (a fault the
 * stand-ins cannot make): the change is made, so the caller learns of the loss as a value.
 */
describe('a history write lost after the section was stored', () => {
  const store = () => new Store(new DynamoDBClient({ region: 'us-east-1' }), 't', { attempts: 1, baseMs: 1, capMs: 1 });
  const sla = defaultSection('sla');
  const stored = () =>
    ddb.on(UpdateItemCommand).resolves({
      Attributes: marshall({ pk: 'CONFIG', sk: 'sla', rev: 4, value: sla, updatedAt: '2026-11-30T09:00:00.000Z' }),
    });

  it('answers the new revision and hands the failure to onHistoryLost, with both history items attempted', async () => {
    stored();
    ddb.on(BatchWriteItemCommand).rejects(awsError('InternalServerError'));
    const lost: unknown[] = [];
    const revision = await store().config.put('sla', sla, new Date(), { onHistoryLost: (err) => lost.push(err) });
    expect(revision).toBe(5);
    expect(lost).toHaveLength(1);
    const writes = ddb.commandCalls(BatchWriteItemCommand)[0]?.args[0].input.RequestItems?.t ?? [];
    // The new revision's item, and the one it replaced rebuilt from the section item as it was.
    expect(writes.map((w) => w.PutRequest?.Item?.sk?.S)).toEqual(['000000000005', '000000000004']);
  });

  it('throws when the caller gave no onHistoryLost', async () => {
    stored();
    ddb.on(BatchWriteItemCommand).rejects(awsError('InternalServerError'));
    await expect(store().config.put('sla', sla, new Date())).rejects.toThrow();
  });
});

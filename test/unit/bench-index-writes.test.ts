import { describe, expect, it } from 'vitest';
import { indexWriteUnits, oldImageRequest } from '../../bench/index-writes';

const S = (s: string) => ({ S: s });
const queued = { gsi1pk: S('POD#west'), gsi1sk: S('0050#a.example'), gsi2pk: S('LIVE#3'), gsi2sk: S('a.example') };

/** The counter's view of a write: the request as sent (with what it asks for) and the old image it got back. */
function unitsOf(op: string, input: Record<string, unknown>, oldImage: Record<string, { S?: string }> | undefined) {
  oldImageRequest(op, input);
  return { asked: input.ReturnValues, units: indexWriteUnits(op, input, oldImage) };
}

describe('index entries a write moves (keys-only indexes)', () => {
  it('charges an update that changes the queue key 2 and leaves the unchanged index alone', () => {
    const input = {
      UpdateExpression: 'SET #a0 = :a0, #a1 = :a1, #a2 = :a2, #a3 = :a3, version = :next',
      ExpressionAttributeNames: { '#a0': 'gsi1pk', '#a1': 'gsi1sk', '#a2': 'gsi2pk', '#a3': 'gsi2sk' },
      ExpressionAttributeValues: { ':a0': S('POD#west'), ':a1': S('0061#a.example'), ':a2': S('LIVE#3'), ':a3': S('a.example') },
    };
    expect(unitsOf('UpdateItem', input, queued)).toEqual({ asked: 'UPDATED_OLD', units: 2 });
  });

  it('charges 1 for entering or leaving an index, 0 for an update that touches no index key', () => {
    const leave = {
      UpdateExpression: 'SET #a0 = :a0, #a1 = :a1 REMOVE #r0, #r1, #r2',
      ExpressionAttributeNames: { '#a0': 'gsi2pk', '#a1': 'gsi2sk', '#r0': 'gsi1pk', '#r1': 'gsi1sk', '#r2': 'ob' },
      ExpressionAttributeValues: { ':a0': S('LIVE#3'), ':a1': S('a.example') },
    };
    expect(unitsOf('UpdateItem', leave, queued).units).toBe(1);
    const enter = { ...leave };
    expect(unitsOf('UpdateItem', { ...enter, ReturnValues: undefined }, {}).units).toBe(1); // gsi2 entered
    const plain = { UpdateExpression: 'ADD #c :one', ExpressionAttributeNames: { '#c': 'c#content_read#x' } };
    expect(unitsOf('UpdateItem', plain, undefined)).toEqual({ asked: undefined, units: 0 });
  });

  it('reads a literal key attribute in the expression and keeps an untouched key of the same index as it was', () => {
    const live = { UpdateExpression: 'SET gsi2pk = :pk REMOVE ob', ExpressionAttributeValues: { ':pk': S('COLD#3') } };
    expect(unitsOf('UpdateItem', live, { gsi2pk: S('LIVE#3') }).units).toBe(2);
  });

  it('charges puts and deletes by the old image they are asked to return', () => {
    expect(unitsOf('PutItem', { Item: { pk: S('ACCT#a.example'), sk: S('A'), ...queued } }, undefined)).toEqual({
      asked: 'ALL_OLD',
      units: 2,
    });
    expect(unitsOf('DeleteItem', { Key: { pk: S('ACCT#a.example'), sk: S('A') } }, queued).units).toBe(2);
    expect(unitsOf('PutItem', { Item: { pk: S('X'), sk: S('Y') } }, undefined).units).toBe(0);
  });

  it('leaves a request that already asks for something alone, and counts nothing it cannot know', () => {
    const input = {
      UpdateExpression: 'SET #a0 = :a0',
      ExpressionAttributeNames: { '#a0': 'gsi2pk' },
      ExpressionAttributeValues: { ':a0': S('LIVE#1') },
      ReturnValues: 'ALL_NEW',
    };
    expect(unitsOf('UpdateItem', input, { gsi2pk: S('LIVE#1') })).toEqual({ asked: 'ALL_NEW', units: 0 });
  });
});

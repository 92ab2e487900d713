import { BatchGetItemCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { awsError, context, setHandlerEnv, sqsEvent } from './events';

const ddb = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);
let handler: typeof import('../../functions/deliver/handler')['handler'];

beforeAll(async () => {
  setHandlerEnv();
  ({ handler } = await import('../../functions/deliver/handler'));
});
afterEach(() => {
  ddb.reset();
  sqs.reset();
});

/**
 * The deliveries consumer reports failures per record: a malformed message and one whose
 * stream the table cannot lease go back to the queue (then its DLQ); the rest of the batch is
 * done. A message for a destination no longer configured is done with, delivering nothing.
 */
describe('deliver handler', () => {
  it('fails only the malformed record and the one the table refused, per record', async () => {
    // Configuration: one webhook destination (no stored sections but this one).
    ddb.on(BatchGetItemCommand).resolves({
      Responses: {
        'intent-test': [
          {
            pk: { S: 'CONFIG' },
            sk: { S: 'destinations' },
            rev: { N: '1' },
            updatedAt: { S: '2026-11-30T00:00:00.000Z' },
            value: {
              M: {
                destinations: {
                  L: [
                    {
                      M: {
                        id: { S: 'hook' },
                        type: { S: 'webhook' },
                        url: { S: 'https://r.example/h' },
                        secret: { S: `whsec_${'A'.repeat(32)}` },
                        events: { L: [{ S: 'account.qualified' }] },
                      },
                    },
                  ],
                },
              },
            },
          },
        ],
      },
    });
    ddb.on(UpdateItemCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    const event = sqsEvent([
      'not json',
      JSON.stringify({ d: 'gone', a: 'acme.example' }),
      JSON.stringify({ d: 'hook', a: 'acme.example' }),
    ]);
    const out = await handler(event, context as never);
    const ids = event.Records.map((r) => r.messageId);
    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([ids[0], ids[2]].sort());
  });
});

import { type AttributeValue, type DynamoDBClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { LocalStack } from '@intent/local';
import { ENV } from '@intent/resources';
import { Table } from '@intent/store';
import { settleLimited } from '../packages/pipeline/src/concurrency';
import { kindOf } from './dynamo-counter';

/**
 * Looks at the stack's queues and table with the stack's own clients (not the handlers'
 * `dynamo`), so what the bench reads is never counted as pipeline traffic.
 */

/** Messages visible or in flight on a queue. */
export async function queueDepth(stack: LocalStack, queueUrl: string): Promise<number> {
  const out = await stack.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

export function ingestQueue(stack: LocalStack) {
  const ingest = stack.queues.ingest;
  if (!ingest) throw new Error('the stack has no ingest queue');
  return ingest;
}

export interface RollupTotals {
  /** Account rollup items (account x day). */
  items: number;
  /** Sum of their `c#<signal>#<topic>` counters: events counted per topic, stitched ones included. */
  counts: number;
}

/**
 * What the account rollups hold: a replay of the same events must leave it unchanged (every
 * event a duplicate), so the difference across the replay is a correctness check.
 */
export async function accountRollupTotals(stack: LocalStack): Promise<RollupTotals> {
  const totals = { items: 0, counts: 0 };
  let start: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const out = await stack.dynamo.send(
      new ScanCommand({
        TableName: process.env[ENV.tableName],
        FilterExpression: 'begins_with(pk, :a) AND begins_with(sk, :r)',
        ExpressionAttributeValues: { ':a': { S: 'ACCT#' }, ':r': { S: 'R#' } },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) {
      totals.items++;
      for (const [name, value] of Object.entries(item)) if (name.startsWith('c#') && value.N) totals.counts += Number(value.N);
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return totals;
}

/**
 * Deletes every item but the API keys (config, accounts, rollups, links, logs): what a
 * benchmark does that must see only its own data. Answers how many items it deleted.
 */
export async function clearTable(client: DynamoDBClient, tableName: string): Promise<number> {
  const keys: { pk: string; sk: string }[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(
      new ScanCommand({ TableName: tableName, ProjectionExpression: 'pk, sk', ExclusiveStartKey: start }),
    );
    for (const raw of out.Items ?? []) {
      const key = unmarshall(raw) as { pk: string; sk: string };
      if (!key.pk.startsWith('APIKEY')) keys.push(key);
    }
    start = out.LastEvaluatedKey;
  } while (start);
  const table = new Table(client, tableName);
  const chunks = Array.from({ length: Math.ceil(keys.length / 500) }, (_, c) => keys.slice(c * 500, (c + 1) * 500));
  const results = await settleLimited(chunks, 8, (chunk) => table.writeMany([], chunk));
  const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
  if (failed) throw new Error(`clearing the table failed: ${String(failed.reason)}`);
  return keys.length;
}

export interface ItemSize {
  kind: string;
  bytes: number;
}

/**
 * The largest items of the table, by DynamoDB's size rules (attribute names plus values, which
 * is what the 400 KB item limit and a write's billed units are measured on), largest first.
 * Scans the whole table with the stack's own client: for after a benchmark, not during one.
 */
export async function largestItems(stack: LocalStack, count: number): Promise<ItemSize[]> {
  const top: ItemSize[] = [];
  let start: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const out = await stack.dynamo.send(new ScanCommand({ TableName: process.env[ENV.tableName], ExclusiveStartKey: start }));
    for (const item of out.Items ?? []) {
      const bytes = Object.entries(item).reduce((n, [name, value]) => n + Buffer.byteLength(name) + valueBytes(value), 0);
      if (top.length < count || bytes > (top.at(-1) as ItemSize).bytes) {
        top.push({ kind: kindOf(item as Parameters<typeof kindOf>[0]), bytes });
        top.sort((a, b) => b.bytes - a.bytes);
        top.length = Math.min(top.length, count);
      }
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return top;
}

/** An attribute value's size as DynamoDB counts it (numbers about one byte per two digits). */
function valueBytes(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/^-|\.|e.*$/gi, '').length / 2) + 1;
  if (v.B !== undefined) return v.B.length;
  if (v.SS) return v.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if (v.NS) return v.NS.reduce((n, s) => n + Math.ceil(s.length / 2) + 1, 0);
  if (v.BS) return v.BS.reduce((n, b) => n + b.length, 0);
  if (v.M) return 3 + Object.entries(v.M).reduce((n, [k, x]) => n + Buffer.byteLength(k) + 1 + valueBytes(x), 0);
  if (v.L) return 3 + v.L.reduce((n, x) => n + 1 + valueBytes(x), 0);
  return 1;
}

import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  type KeysAndAttributes,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { isConditionalCheckFailed } from './errors';
import { chunksOf, forEachLimited } from './limited';

export type Key = { pk: string; sk: string };
/** A ProjectionExpression with its attribute names. */
export type Projection = { expression: string; names: Record<string, string> };
export type Item = Record<string, unknown>;

/** BatchGetItem calls of one `getMany` in flight at once, unless it says otherwise. */
const READS_IN_FLIGHT = 4;

const MARSHALL = { removeUndefinedValues: true, convertClassInstanceToMap: true } as const;
export const toAttr = (value: Record<string, unknown>) => marshall(value, MARSHALL);
export const fromAttr = unmarshall;

/** Low-level access to the one table: the repositories build on these few operations. */
export class Table {
  constructor(
    readonly client: DynamoDBClient,
    readonly name: string,
  ) {}

  async get(key: Key, consistent = false): Promise<Item | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.name, Key: toAttr(key), ConsistentRead: consistent }),
    );
    return out.Item ? unmarshall(out.Item) : undefined;
  }

  /**
   * Reads up to 100 keys per call, `inFlight` calls at once, retrying unprocessed keys; answers
   * in no particular order. With `projection`, only those attributes (a ProjectionExpression
   * and its names).
   */
  async getMany(keys: Key[], consistent = false, projection?: Projection, inFlight = READS_IN_FLIGHT): Promise<Item[]> {
    const items: Item[] = [];
    await forEachLimited(chunksOf(keys, 100), inFlight, async (chunk) => {
      let request: Record<string, KeysAndAttributes> | undefined = {
        [this.name]: {
          Keys: chunk.map(toAttr),
          ConsistentRead: consistent,
          ...(projection ? { ProjectionExpression: projection.expression, ExpressionAttributeNames: projection.names } : {}),
        },
      };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
        if (attempt > 0) await backoff(attempt);
        const out = await this.client.send(new BatchGetItemCommand({ RequestItems: request }));
        for (const raw of out.Responses?.[this.name] ?? []) items.push(unmarshall(raw));
        request = out.UnprocessedKeys as typeof request;
      }
    });
    return items;
  }

  /**
   * One conditional `UpdateItem` on `key`: true when it applied, false when its condition
   * failed (a version race, a refused claim); any other error is thrown.
   */
  async updateIf(key: Key, update: Omit<UpdateItemCommandInput, 'TableName' | 'Key'>): Promise<boolean> {
    try {
      await this.client.send(new UpdateItemCommand({ ...update, TableName: this.name, Key: toAttr(key) }));
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  /** Every item of a query, following pagination. */
  async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    const items: Item[] = [];
    let start: QueryCommandInput['ExclusiveStartKey'];
    do {
      const out = await this.client.send(new QueryCommand({ ...input, TableName: this.name, ExclusiveStartKey: start }));
      for (const raw of out.Items ?? []) items.push(unmarshall(raw));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async queryPage(input: Omit<QueryCommandInput, 'TableName'>) {
    const out = await this.client.send(new QueryCommand({ ...input, TableName: this.name }));
    return {
      items: (out.Items ?? []).map((raw) => unmarshall(raw)),
      lastKey: out.LastEvaluatedKey ? unmarshall(out.LastEvaluatedKey) : undefined,
    };
  }

  /** Puts and deletes in chunks of 25, retrying unprocessed items with backoff. */
  async writeMany(puts: Item[], deletes: Key[] = []): Promise<void> {
    const requests: WriteRequest[] = [
      ...puts.map((item) => ({ PutRequest: { Item: toAttr(item) } })),
      ...deletes.map((key) => ({ DeleteRequest: { Key: toAttr(key) } })),
    ];
    for (let i = 0; i < requests.length; i += 25) {
      let pending: WriteRequest[] = requests.slice(i, i + 25);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await backoff(attempt);
        const out = await this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.name]: pending } }));
        pending = out.UnprocessedItems?.[this.name] ?? [];
      }
    }
  }
}

function backoff(attempt: number): Promise<void> {
  const ms = Math.min(1000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

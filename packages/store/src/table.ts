import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  type KeysAndAttributes,
  PutItemCommand,
  type PutItemCommandInput,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { isConditionalCheckFailed } from './errors';
import { chunksOf, forEachLimited } from './limited';
import { BATCH_RETRY, backoff, isThrottling, type RetryPolicy, UnprocessedItemsError } from './retry';

export type Key = { pk: string; sk: string };
/** A ProjectionExpression with its attribute names. */
export type Projection = { expression: string; names: Record<string, string> };
export type Item = Record<string, unknown>;

/** BatchGetItem calls of one `getMany` in flight at once, unless it says otherwise. */
const READS_IN_FLIGHT = 4;

const MARSHALL = { removeUndefinedValues: true, convertClassInstanceToMap: true } as const;
export const toAttr = (value: Record<string, unknown>) => marshall(value, MARSHALL);
export const fromAttr = unmarshall;

/** A string set attribute as read (absent, or anything else: empty). */
export function stringsOf(value: unknown): string[] {
  return value instanceof Set ? [...value].filter((x): x is string => typeof x === 'string') : [];
}

/** Where a Query page stopped (its LastEvaluatedKey: key attributes, all strings in this table). */
export const positionOf = (lastKey: Item): Record<string, string> =>
  Object.fromEntries(Object.entries(lastKey).map(([attr, value]) => [attr, String(value)]));

/** The key of an item read. */
export const keyOf = (item: Item): Key => ({ pk: String(item.pk), sk: String(item.sk) });

/**
 * An update that SETs each attribute of `set` and REMOVEs those of `remove`, every name and value
 * behind a placeholder (`#a0`, `:a0`...), so any attribute name is safe in it. `more` adds
 * clauses and values of the caller's own (such as a version's).
 */
export function assignments(
  set: Record<string, unknown>,
  remove: readonly string[] = [],
  more: { set?: string[]; values?: Record<string, unknown> } = {},
): Pick<UpdateItemCommandInput, 'UpdateExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ...more.values };
  const sets = Object.entries(set).map(([attr, value], i) => {
    names[`#a${i}`] = attr;
    values[`:a${i}`] = value;
    return `#a${i} = :a${i}`;
  });
  const removes = remove.map((attr, i) => {
    names[`#r${i}`] = attr;
    return `#r${i}`;
  });
  const clauses = [...sets, ...(more.set ?? [])];
  return {
    UpdateExpression: [clauses.length ? `SET ${clauses.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
      .filter(Boolean)
      .join(' '),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: toAttr(values) } : {}),
  };
}

/**
 * A conditional write's answer: the `Attributes` it returned (undefined when it asked for
 * none), or undefined as a whole when its condition failed.
 */
export type Written = { attributes: Item | undefined } | undefined;

/** Awaits a conditional write; a failed condition answers undefined, any other error is thrown. */
async function written(write: Promise<Item | undefined>): Promise<Written> {
  try {
    return { attributes: await write };
  } catch (err) {
    if (isConditionalCheckFailed(err)) return undefined;
    throw err;
  }
}

/** Low-level access to the one table: the repositories build on these few operations. */
export class Table {
  constructor(
    readonly client: DynamoDBClient,
    readonly name: string,
    /** How batch calls retry their unprocessed items (tests shorten the waits). */
    readonly retry: RetryPolicy = BATCH_RETRY,
  ) {}

  async get(key: Key, consistent = false): Promise<Item | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.name, Key: toAttr(key), ConsistentRead: consistent }),
    );
    return out.Item ? unmarshall(out.Item) : undefined;
  }

  /**
   * Reads up to 100 keys per call, `inFlight` calls at once, retrying unprocessed keys (and a
   * throttled call) with jittered backoff, `retry.attempts` calls per chunk at most, then
   * throwing `UnprocessedItemsError`; answers in no particular order. With `projection`, only
   * those attributes (a ProjectionExpression and its names).
   */
  async getMany(keys: Key[], consistent = false, projection?: Projection, inFlight = READS_IN_FLIGHT): Promise<Item[]> {
    const items: Item[] = [];
    await forEachLimited(chunksOf(keys, 100), inFlight, async (chunk) => {
      let request: Record<string, KeysAndAttributes> = {
        [this.name]: {
          Keys: chunk.map(toAttr),
          ConsistentRead: consistent,
          ...(projection ? { ProjectionExpression: projection.expression, ExpressionAttributeNames: projection.names } : {}),
        },
      };
      await this.untilProcessed(
        'BatchGetItem',
        async () => {
          const out = await this.client.send(new BatchGetItemCommand({ RequestItems: request }));
          for (const raw of out.Responses?.[this.name] ?? []) items.push(unmarshall(raw));
          request = (out.UnprocessedKeys ?? {}) as typeof request;
          return request[this.name]?.Keys?.length ?? 0;
        },
        () => request[this.name]?.Keys?.length ?? 0,
      );
    });
    return items;
  }

  /**
   * Writes the whole item (its key among its attributes), replacing any item of that key;
   * `options` add a condition and the ReturnValues wanted. Answers the `Attributes` DynamoDB
   * returned (with `ReturnValues: 'ALL_OLD'`, the item replaced), undefined when none. A failed
   * condition is thrown, for the caller to tell apart with `isConditionalCheckFailed`.
   */
  async put(item: Item, options: Omit<PutItemCommandInput, 'TableName' | 'Item'> = {}): Promise<Item | undefined> {
    const out = await this.client.send(new PutItemCommand({ ...options, TableName: this.name, Item: toAttr(item) }));
    return out.Attributes ? unmarshall(out.Attributes) : undefined;
  }

  /** `put` whose failed condition is an answer, not an error: undefined then (see `Written`). */
  tryPut(item: Item, options: Omit<PutItemCommandInput, 'TableName' | 'Item'>): Promise<Written> {
    return written(this.put(item, options));
  }

  /**
   * One conditional `PutItem`: true when it wrote the item, false when its condition failed
   * (the item exists, the visitor was erased); any other error is thrown.
   */
  async putIf(item: Item, condition: Omit<PutItemCommandInput, 'TableName' | 'Item'>): Promise<boolean> {
    return (await this.tryPut(item, condition)) !== undefined;
  }

  /** Deletes the item of `key`, if there is one. */
  async delete(key: Key): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.name, Key: toAttr(key) }));
  }

  /**
   * One `UpdateItem` on `key`, with the ReturnValues `update` asks for, answering the
   * `Attributes` DynamoDB returned (undefined when none): with `ReturnValues: 'ALL_OLD'`, the
   * item as it was before, what a write that must tell what it changed reads, free of read
   * capacity. A failed condition is thrown, for the caller to tell apart with
   * `isConditionalCheckFailed`.
   */
  async update(key: Key, update: Omit<UpdateItemCommandInput, 'TableName' | 'Key'>): Promise<Item | undefined> {
    const out = await this.client.send(new UpdateItemCommand({ ...update, TableName: this.name, Key: toAttr(key) }));
    return out.Attributes ? unmarshall(out.Attributes) : undefined;
  }

  /** `update` whose failed condition is an answer, not an error: undefined then (see `Written`). */
  tryUpdate(key: Key, update: Omit<UpdateItemCommandInput, 'TableName' | 'Key'>): Promise<Written> {
    return written(this.update(key, update));
  }

  /**
   * One conditional `UpdateItem` on `key`: true when it applied, false when its condition
   * failed (a version race, a refused claim); any other error is thrown.
   */
  async updateIf(key: Key, update: Omit<UpdateItemCommandInput, 'TableName' | 'Key'>): Promise<boolean> {
    return (await this.tryUpdate(key, update)) !== undefined;
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

  /**
   * Puts and deletes in chunks of 25, retrying unprocessed items (and a throttled call) with
   * jittered backoff, `retry.attempts` calls per chunk at most, then throwing
   * `UnprocessedItemsError` with the number of the chunk's items left unwritten.
   */
  async writeMany(puts: Item[], deletes: Key[] = []): Promise<void> {
    const requests: WriteRequest[] = [
      ...puts.map((item) => ({ PutRequest: { Item: toAttr(item) } })),
      ...deletes.map((key) => ({ DeleteRequest: { Key: toAttr(key) } })),
    ];
    for (let i = 0; i < requests.length; i += 25) {
      let pending: WriteRequest[] = requests.slice(i, i + 25);
      await this.untilProcessed(
        'BatchWriteItem',
        async () => {
          const out = await this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.name]: pending } }));
          pending = out.UnprocessedItems?.[this.name] ?? [];
          return pending.length;
        },
        () => pending.length,
      );
    }
  }

  /**
   * Calls `attempt` (which answers how many items it left unprocessed) until it leaves none:
   * a throttled call counts as leaving all of them. Waits with jittered backoff between calls
   * and gives up after `retry.attempts` calls with `UnprocessedItemsError`.
   */
  private async untilProcessed(
    operation: UnprocessedItemsError['operation'],
    attempt: () => Promise<number>,
    left: () => number,
  ): Promise<void> {
    let cause: unknown;
    for (let n = 1; n <= this.retry.attempts; n++) {
      if (n > 1) await backoff(n - 1, this.retry);
      try {
        if ((await attempt()) === 0) return;
        cause = undefined;
      } catch (err) {
        if (!isThrottling(err)) throw err;
        cause = err;
      }
    }
    throw new UnprocessedItemsError(operation, left(), this.retry.attempts, { cause });
  }
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sortedCounts } from './lib';

type Attr = { S?: string } | undefined;
type AttrMap = Record<string, Attr> | undefined;

/** Per DynamoDB operation: calls, items (what the write/read counts add up), failures, time. */
export interface OperationStats {
  calls: number;
  items: number;
  failed: number;
  conditionalCheckFailed: number;
  totalMs: number;
}

export interface DynamoCounts {
  /** Items written: Put/Update/Delete 1 each (failed conditional writes included: they cost a write unit), BatchWrite and TransactWrite items. */
  writes: number;
  /** Items read: GetItem 1, BatchGetItem keys, Query/Scan 1 per call. */
  reads: number;
  byOperation: Record<string, OperationStats & { meanMs: number }>;
  /** Written items by kind of key (rollup, account, visitorLink, ...). */
  writesByKind: Record<string, number>;
  /** Of those, conditional writes that failed (duplicates, version races). */
  failedWritesByKind: Record<string, number>;
  readsByKind: Record<string, number>;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

/**
 * Counts the requests a DynamoDB client sends, with an `initialize` middleware: installed on
 * the handlers' own client, it sees every call the pipeline makes, as the AWS bill would.
 */
export class DynamoCounter {
  private recording = false;
  private ops = new Map<string, OperationStats>();
  private writeKinds = new Map<string, number>();
  private failedKinds = new Map<string, number>();
  private readKinds = new Map<string, number>();

  install(client: DynamoDBClient, name = 'benchWriteCounter'): void {
    client.middlewareStack.remove(name);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (!this.recording) return next(args);
        const op = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        const input = args.input as Record<string, unknown>;
        const t0 = performance.now();
        try {
          const out = await next(args);
          this.record(op, input, performance.now() - t0);
          return out;
        } catch (err) {
          this.record(op, input, performance.now() - t0, (err as { name?: string }).name ?? 'Error');
          throw err;
        }
      },
      { step: 'initialize', name },
    );
  }

  start(): void {
    this.ops = new Map();
    this.writeKinds = new Map();
    this.failedKinds = new Map();
    this.readKinds = new Map();
    this.recording = true;
  }

  stop(): DynamoCounts {
    this.recording = false;
    const byOperation = Object.fromEntries(
      [...this.ops].sort((a, b) => b[1].items - a[1].items).map(([op, s]) => [op, { ...s, totalMs: Math.round(s.totalMs), meanMs: s.calls ? round(s.totalMs / s.calls) : 0 }]),
    );
    const sum = (set: Set<string>) => [...this.ops].filter(([op]) => set.has(op)).reduce((n, [, s]) => n + s.items, 0);
    return {
      writes: sum(WRITES),
      reads: sum(READS),
      byOperation,
      writesByKind: sortedCounts(this.writeKinds),
      failedWritesByKind: sortedCounts(this.failedKinds),
      readsByKind: sortedCounts(this.readKinds),
    };
  }

  private record(op: string, input: Record<string, unknown>, ms: number, error?: string): void {
    const keys = keysOf(op, input);
    const stats = this.ops.get(op) ?? { calls: 0, items: 0, failed: 0, conditionalCheckFailed: 0, totalMs: 0 };
    stats.calls++;
    stats.items += op === 'Query' || op === 'Scan' ? 1 : keys.length;
    stats.totalMs += ms;
    if (error) stats.failed++;
    if (error === 'ConditionalCheckFailedException') stats.conditionalCheckFailed++;
    this.ops.set(op, stats);
    const kinds = WRITES.has(op) ? this.writeKinds : READS.has(op) ? this.readKinds : undefined;
    for (const kind of keys) {
      if (kinds) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      if (error && WRITES.has(op)) this.failedKinds.set(kind, (this.failedKinds.get(kind) ?? 0) + 1);
    }
  }
}

/** The kind of each item an operation touches (one entry per counted item). */
function keysOf(op: string, input: Record<string, unknown>): string[] {
  switch (op) {
    case 'PutItem':
      return [kindOf(input.Item as AttrMap)];
    case 'UpdateItem':
    case 'DeleteItem':
    case 'GetItem':
      return [kindOf(input.Key as AttrMap)];
    case 'BatchWriteItem': {
      const tables = Object.values((input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: AttrMap }; DeleteRequest?: { Key: AttrMap } }[]>);
      return tables.flat().map((r) => kindOf(r.PutRequest?.Item ?? r.DeleteRequest?.Key));
    }
    case 'BatchGetItem': {
      const tables = Object.values((input.RequestItems ?? {}) as Record<string, { Keys?: AttrMap[] }>);
      return tables.flatMap((t) => (t.Keys ?? []).map(kindOf));
    }
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      const items = (input.TransactItems ?? []) as Record<string, { Item?: AttrMap; Key?: AttrMap }>[];
      return items.map((t) => {
        const [verb, body] = Object.entries(t)[0] ?? ['?', {}];
        return `${kindOf(body.Item ?? body.Key)}${verb === 'ConditionCheck' ? ' (check)' : ''}`;
      });
    }
    case 'Query': {
      const values = input.ExpressionAttributeValues as AttrMap;
      const pk = values?.[':pk']?.S;
      const index = input.IndexName ? `${String(input.IndexName)} ` : '';
      return [`query ${index}${kindOf({ pk: { S: pk }, sk: { S: values?.[':from']?.S } })}`];
    }
    default:
      return [op];
  }
}

/** What an item is, from its key: the store's key formats (packages/store/src/keys.ts). */
export function kindOf(key: AttrMap): string {
  const pk = key?.pk?.S;
  const sk = key?.sk?.S ?? '';
  if (!pk) return 'unknown';
  if (pk.startsWith('ACCT#')) {
    if (sk === 'A') return 'account (ACCT# A)';
    if (sk.startsWith('R#')) return 'rollup (ACCT# R#)';
    return `account other (ACCT# ${sk.split('#')[0]})`;
  }
  if (pk.startsWith('VISITOR#')) return 'visitor link (VISITOR#)';
  if (pk.startsWith('USER#')) return 'user link (USER#)';
  const hash = pk.indexOf('#');
  return hash === -1 ? pk : pk.slice(0, hash + 1);
}

const round = (n: number) => Math.round(n * 100) / 100;

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { askWorkers } from './ask-workers';
import { indexWriteUnits, oldImageRequest } from './index-writes';
import { sortedCounts } from './lib';

type Attr = { S?: string } | undefined;
type AttrMap = Record<string, Attr> | undefined;

/** Per DynamoDB operation: calls, items (what the write/read counts add up), failures, time. */
export interface OperationStats {
  calls: number;
  items: number;
  /** Capacity units the stand-in reports (`ReturnConsumedCapacity: TOTAL`): what DynamoDB bills, by item size. */
  units: number;
  failed: number;
  conditionalCheckFailed: number;
  totalMs: number;
}

export interface DynamoCounts {
  /** Items written: Put/Update/Delete 1 each (failed conditional writes included: they cost a write unit), BatchWrite and TransactWrite items. */
  writes: number;
  /** Items read: GetItem 1, BatchGetItem keys, Query/Scan 1 per call. */
  reads: number;
  /**
   * Write capacity units: 1 KB each, by the larger of the old and new item, with the index
   * entries a write moves (`index-writes.ts`) and a failed conditional write at 1 unit (the
   * stand-ins report no units for it; DynamoDB bills the existing item's size, 1 at least).
   */
  writeUnits: number;
  /** Read capacity units (4 KB each; eventually consistent reads half): the read bill. */
  readUnits: number;
  byOperation: Record<string, OperationStats & { meanMs: number }>;
  /** Written items by kind of key (rollup, account, visitorLink, ...). */
  writesByKind: Record<string, number>;
  /** Of those, conditional writes that failed (duplicates, version races). */
  failedWritesByKind: Record<string, number>;
  /** Write capacity units of single-item writes, by kind of key: which items cost by their size. */
  writeUnitsByKind: Record<string, number>;
  readsByKind: Record<string, number>;
}

/** The kind the index entries' write units are counted under. */
const INDEX_KIND = 'index entries (gsi1, gsi2)';
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
  private writeUnitKinds = new Map<string, number>();

  install(client: DynamoDBClient, name = 'benchWriteCounter'): void {
    client.middlewareStack.remove(name);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (!this.recording) return next(args);
        const op = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        const input = args.input as Record<string, unknown>;
        // Asks for the capacity each call consumed and, for writes that may move an index
        // entry, the old image: the handlers ask for neither, and it changes nothing else.
        input.ReturnConsumedCapacity ??= 'TOTAL';
        oldImageRequest(op, input);
        const t0 = performance.now();
        try {
          const out = await next(args);
          const output = (out as { output?: { ConsumedCapacity?: unknown; Attributes?: Record<string, { S?: string }> } }).output;
          const indexUnits = indexWriteUnits(op, input, output?.Attributes);
          this.record(op, input, performance.now() - t0, undefined, unitsOf(output?.ConsumedCapacity), indexUnits);
          return out;
        } catch (err) {
          const name = (err as { name?: string }).name ?? 'Error';
          this.record(op, input, performance.now() - t0, name, name === 'ConditionalCheckFailedException' ? 1 : 0);
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
    this.writeUnitKinds = new Map();
    this.recording = true;
  }

  stop(): DynamoCounts {
    this.recording = false;
    const byOperation = Object.fromEntries(
      [...this.ops]
        .sort((a, b) => b[1].items - a[1].items)
        .map(([op, s]) => [op, { ...s, totalMs: Math.round(s.totalMs), meanMs: s.calls ? round(s.totalMs / s.calls) : 0 }]),
    );
    const sum = (set: Set<string>, field: 'items' | 'units') =>
      [...this.ops].filter(([op]) => set.has(op)).reduce((n, [, s]) => n + s[field], 0);
    return {
      writes: sum(WRITES, 'items'),
      reads: sum(READS, 'items'),
      writeUnits: sum(WRITES, 'units'),
      readUnits: sum(READS, 'units'),
      byOperation,
      writesByKind: sortedCounts(this.writeKinds),
      failedWritesByKind: sortedCounts(this.failedKinds),
      readsByKind: sortedCounts(this.readKinds),
      writeUnitsByKind: sortedCounts(this.writeUnitKinds),
    };
  }

  /** `units`: the item's own; `indexUnits`: its index entries'. */
  private record(op: string, input: Record<string, unknown>, ms: number, error?: string, units = 0, indexUnits = 0): void {
    const keys = keysOf(op, input);
    const stats = this.ops.get(op) ?? { calls: 0, items: 0, units: 0, failed: 0, conditionalCheckFailed: 0, totalMs: 0 };
    stats.calls++;
    stats.units += units + indexUnits;
    if (indexUnits) this.writeUnitKinds.set(INDEX_KIND, (this.writeUnitKinds.get(INDEX_KIND) ?? 0) + indexUnits);
    const [only] = keys;
    if (keys.length === 1 && only && WRITES.has(op)) this.writeUnitKinds.set(only, (this.writeUnitKinds.get(only) ?? 0) + units);
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

const CHANNEL = 'intent-bench-dynamo-counter';
type CounterMessage =
  | { type: 'start' | 'stop'; id: number }
  | { type: 'started'; id: number }
  | { type: 'counts'; id: number; counts: DynamoCounts };

/**
 * In a consumer worker thread (the bench preloads `worker-preload.ts` there): counts that
 * thread's handler client when the main thread's `ThreadedDynamoCounter` says so.
 */
export function countForMainThread(client: DynamoDBClient): void {
  const counter = new DynamoCounter();
  counter.install(client);
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (e) => {
    const m = (e as MessageEvent<CounterMessage>).data;
    if (m.type === 'start') {
      counter.start();
      channel.postMessage({ type: 'started', id: m.id } satisfies CounterMessage);
    } else if (m.type === 'stop')
      channel.postMessage({ type: 'counts', id: m.id, counts: counter.stop() } satisfies CounterMessage);
  };
  (channel as BroadcastChannel & { unref?: () => void }).unref?.();
}

/**
 * Counts the handlers' client of this thread and of `workers` consumer worker threads (each
 * running `countForMainThread`), and adds them up: the pipeline's requests wherever they run.
 */
export class ThreadedDynamoCounter {
  private readonly local = new DynamoCounter();
  private readonly channel = new BroadcastChannel(CHANNEL);
  private next = 0;

  constructor(
    client: DynamoDBClient,
    private readonly workers: number,
  ) {
    this.local.install(client);
    (this.channel as BroadcastChannel & { unref?: () => void }).unref?.();
  }

  async start(): Promise<void> {
    await this.ask('start', 'started');
    this.local.start();
  }

  async stop(): Promise<DynamoCounts> {
    const remote = await this.ask('stop', 'counts');
    return remote.reduce(mergeCounts, this.local.stop());
  }

  close(): void {
    this.channel.close();
  }

  /** Sends a command to every worker and waits for each answer (10 s at most). */
  private ask(type: 'start' | 'stop', answer: 'started' | 'counts'): Promise<DynamoCounts[]> {
    return askWorkers<CounterMessage, DynamoCounts>(this.channel, this.workers, { type, id: this.next++ }, answer, (m) =>
      m.type === 'counts' ? m.counts : ({} as DynamoCounts),
    );
  }
}

function mergeCounts(a: DynamoCounts, b: DynamoCounts): DynamoCounts {
  const add = (x: Record<string, number>, y: Record<string, number>) => {
    const out = new Map(Object.entries(x));
    for (const [k, n] of Object.entries(y)) out.set(k, (out.get(k) ?? 0) + n);
    return sortedCounts(out);
  };
  const byOperation: DynamoCounts['byOperation'] = { ...a.byOperation };
  for (const [op, s] of Object.entries(b.byOperation)) {
    const t = byOperation[op];
    if (!t) {
      byOperation[op] = s;
      continue;
    }
    const calls = t.calls + s.calls;
    const totalMs = t.totalMs + s.totalMs;
    byOperation[op] = {
      calls,
      items: t.items + s.items,
      units: t.units + s.units,
      failed: t.failed + s.failed,
      conditionalCheckFailed: t.conditionalCheckFailed + s.conditionalCheckFailed,
      totalMs,
      meanMs: calls ? round(totalMs / calls) : 0,
    };
  }
  return {
    writes: a.writes + b.writes,
    reads: a.reads + b.reads,
    writeUnits: a.writeUnits + b.writeUnits,
    readUnits: a.readUnits + b.readUnits,
    byOperation,
    writesByKind: add(a.writesByKind, b.writesByKind),
    failedWritesByKind: add(a.failedWritesByKind, b.failedWritesByKind),
    readsByKind: add(a.readsByKind, b.readsByKind),
    writeUnitsByKind: add(a.writeUnitsByKind, b.writeUnitsByKind),
  };
}

/** Capacity units of a response: one entry, or one per table (batch operations). */
function unitsOf(consumed: unknown): number {
  const entries = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return entries.reduce((n, c) => n + (Number((c as { CapacityUnits?: number }).CapacityUnits) || 0), 0);
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
      const tables = Object.values(
        (input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: AttrMap }; DeleteRequest?: { Key: AttrMap } }[]>,
      );
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
      // The sort-key bound, if any, names what is read (`R#...` rollups, `H#...` activity).
      const sk = Object.entries(values ?? {}).find(([name, v]) => name !== ':pk' && /^[A-Z]+#/.test(v?.S ?? ''))?.[1]?.S;
      return [`query ${index}${kindOf({ pk: { S: pk }, sk: { S: sk } })}`];
    }
    default:
      return [op];
  }
}

/** Names for the key shapes of packages/store/src/keys.ts; others show as `<pk prefix> <sk prefix>`. */
const KINDS: [pk: string, sk: string, label: string][] = [
  ['ACCT#', 'A', 'account score (ACCT# A)'],
  ['ACCT#', 'R#', 'rollup (ACCT# R#)'],
  ['ACCT#', 'F#', 'feedback (ACCT# F#)'],
  ['VISITOR#', 'LINK', 'visitor link (VISITOR# LINK)'],
  ['PENDING#', 'D#', 'pending visitor events (PENDING# D#)'],
  ['ACCT#', 'S#', 'rollup seen ids (ACCT# S#)'],
  ['SITE#', 'S#', 'site activity seen ids (SITE# S#)'],
  ['USER#', 'LINK', 'user link (USER# LINK)'],
  ['SITE#', 'D#', 'site daily activity (SITE# D#)'],
  ['PUSH#', '', 'pod push log (PUSH#)'],
  ['ACCT#', 'P#', 'account push pointer (ACCT# P#)'],
  ['AUD#', 'META', 'audience meta (AUD# META)'],
  ['AUD#', 'M#', 'audience member (AUD# M#)'],
  ['AUD#', 'L#', 'audience change log (AUD# L#)'],
];

/** What an item is, from its key: `pk` prefix (up to `#`) and the tag of its `sk`, if it has one. */
export function kindOf(key: AttrMap): string {
  const pk = key?.pk?.S;
  if (!pk) return 'unknown';
  const sk = key?.sk?.S ?? '';
  const pkPrefix = pk.includes('#') ? pk.slice(0, pk.indexOf('#') + 1) : pk;
  // A tag is `R#...`-like or a short constant (`A`, `LINK`); ids, dates, CIDRs and section
  // names are not, and would make a kind per item.
  const skTag = /^[A-Z][A-Z0-9_]{0,11}#/.exec(sk)?.[0] ?? (/^[A-Z]{1,8}$/.test(sk) ? sk : '');
  const known = KINDS.find(([p, t]) => p === pkPrefix && (t === skTag || t === ''));
  if (known) return known[2];
  return skTag ? `${pkPrefix} ${skTag}` : pkPrefix;
}

const round = (n: number) => Math.round(n * 100) / 100;

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LocalStack } from '@intent/local';
import { ENV } from '@intent/resources';
import type { DynamoCounts } from './dynamo-counter';

/** One line of the printed table (and of the JSON). */
export interface Row {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export interface BenchResult {
  rows: Row[];
  /** Anything worth keeping in the JSON: breakdowns, raw figures, settings. */
  details?: Record<string, unknown>;
}

export interface BenchContext {
  stack: LocalStack;
  /** Multiplies event counts (BENCH_SCALE, default 1). */
  scale: number;
  /**
   * Figures a benchmark publishes for later ones (e.g. `e2e.eventsPerSecond`): the ratios of
   * this run are computed from figures of this run only.
   */
  metrics: Record<string, number>;
  /** Cleanup to run before the stack stops (servers, purges). */
  onFinish: (fn: () => Promise<void>) => void;
  /** What the benchmarks before this one in the run answered, by id (the cost model reads e2e's and snippet's). */
  results: Readonly<Record<string, BenchResult>>;
  /** Errors the stack's handlers and pollers reported so far (the consumer's timeouts, say), oldest first. */
  stackErrors: readonly string[];
}

/**
 * A benchmark module: run.ts runs them in order on one stack. Later work adds entries to
 * `BENCHMARKS` in run.ts, e.g. queue read latency at 10k/100k accounts or the audience
 * re-materialisation ratio.
 */
export interface Benchmark {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<BenchResult>;
}

const started = Date.now();
/** Progress on stderr, so stdout holds only the table. */
export function log(message: string): void {
  process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const seconds = (fromMs: number, toMs = performance.now()) => (toMs - fromMs) / 1000;

/** What a browser sends: the collector drops events whose agent (or the request's) is a bot's. */
export const BROWSER_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

/** Counts as a plain object, largest first (for the JSON). */
export function sortedCounts(counts: Map<string, number> | Record<string, number>): Record<string, number> {
  const entries = counts instanceof Map ? [...counts] : Object.entries(counts);
  return Object.fromEntries(entries.sort((a, b) => b[1] - a[1]));
}

export interface LoadOptions {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  durationSeconds: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latencyMeanMs: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  statusCodes: Record<string, number>;
}

// autocannon runs in a worker thread: in the main thread its load generation would share one
// event loop with the servers under test, and measure mostly itself. CommonJS source, since
// an eval'd worker is a script. Outside the main thread autocannon answers raw histograms (it
// takes itself for one of its own workers), hence the explicit aggregateResult().
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const autocannon = require(workerData.modulePath);
autocannon(workerData.options).then(
  (raw) => {
    const r = autocannon.aggregateResult([raw], workerData.options);
    parentPort.postMessage({
      requestsPerSecond: raw.totalCompletedRequests / raw.duration, total: raw.totalCompletedRequests,
      non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts,
      latencyMeanMs: r.latency.average, latencyP50Ms: r.latency.p50, latencyP99Ms: r.latency.p99,
      statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats || {}).map(([k, v]) => [k, v.count])),
    });
  },
  (e) => parentPort.postMessage({ error: String((e && e.stack) || e) }),
);`;

/** HTTP load with autocannon (programmatic API) from a worker thread. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const modulePath = createRequire(import.meta.url).resolve('autocannon');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      modulePath,
      options: {
        url: options.url,
        method: options.method,
        headers: options.headers,
        body: options.body,
        connections: options.connections,
        duration: options.durationSeconds,
      },
    },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (m: LoadResult | { error: string }) => {
      void worker.terminate();
      if ('error' in m) reject(new Error(`autocannon: ${m.error}`));
      else resolve(m);
    });
    worker.once('error', reject);
  });
}

/**
 * A DynamoDB client of the bench's own on the stand-in (not the handlers': its requests are not
 * counted with the pipeline's), and the table name. The stack sets both variables when it starts.
 */
export function benchDynamo(): { client: DynamoDBClient; tableName: string; endpoint: string } {
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  const tableName = process.env[ENV.tableName];
  if (!endpoint || !tableName) throw new Error('AWS_ENDPOINT_URL_DYNAMODB / TABLE_NAME are not set: start the stack first');
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return { client, tableName, endpoint };
}

export const round2 = (n: number) => Math.round(n * 100) / 100;

/** Each kind's count per event, to four decimals (for the JSON). */
export const perEvent = (counts: Record<string, number>, events: number) =>
  Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, Math.round((n / Math.max(1, events)) * 10_000) / 10_000]));

/** The three biggest kinds of a breakdown, per event, for a row's note. */
export const topPerEvent = (byKind: Record<string, number>, events: number, digits: number) =>
  Object.entries(byKind)
    .slice(0, 3)
    .map(([k, n]) => `${k.replace(/ \(.*\)$/, '')} ${(n / Math.max(1, events)).toFixed(digits)}`)
    .join(', ');

/** DynamoDB requests made, whatever their items. */
export const requestsOf = (counts: DynamoCounts) => Object.values(counts.byOperation).reduce((n, s) => n + s.calls, 0);

/** Requests per operation per event, for a row's note. */
export const requestsPerEventNote = (counts: DynamoCounts, events: number) =>
  Object.entries(counts.byOperation)
    .map(([op, s]) => `${op} ${(s.calls / Math.max(1, events)).toFixed(3)}`)
    .join(', ');

export const signed = (n: number) => (n >= 0 ? `+${n}` : String(n));

/** How busy each thread was since `threadsBusy` started: this one (API, collector, fauxqs) and each worker. */
export function threadsBusy(stack: LocalStack): () => Record<string, number> {
  const mainBefore = performance.eventLoopUtilization();
  const before = stack.workerUtilization();
  return () => {
    const busy: Record<string, number> = { main: round2(performance.eventLoopUtilization(mainBefore).utilization) };
    for (const [name, now] of Object.entries(stack.workerUtilization()))
      busy[name] = round2(performance.eventLoopUtilization(now, before[name]).utilization);
    return busy;
  };
}

/** `main 0.95, rollup 0.56, dynalite 0.80`: for a row's note. */
export const busyNote = (busy: Record<string, number>) =>
  Object.entries(busy)
    .map(([name, share]) => `${name} ${share.toFixed(2)}`)
    .join(', ');

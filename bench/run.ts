import './env';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalStack } from '@intent/local';
import { audienceRematerialiseBenchmark } from './audience-rematerialise';
import { ceilingBenchmark } from './ceiling';
import { collectorVsBareBenchmark } from './collector-vs-bare';
import { costBenchmark } from './cost';
import { e2eBenchmark } from './e2e';
import { floodBenchmark } from './flood';
import { hotDayBenchmark } from './hot-day';
import { type BenchContext, type Benchmark, type BenchResult, log, type Row, seconds } from './lib';
import { queueLatencyBenchmark } from './queue-latency';
import { snippetBenchmark } from './snippet';
import { installUsageCounter } from './usage-counter';

/**
 * The benchmarks, run in this order on one local stack. Order matters: the ceiling and the
 * collector run after the end-to-end pass (the ceiling's efficiency uses its figures, and
 * the collector's load would otherwise leave work for the rollup consumer); the cost model
 * after the end-to-end pass and the snippet (it prices their figures); the audience and
 * hot-day benchmarks start by deleting what the others left, and the hot day runs last, as the
 * messages a failing rollup leaves on the ingest queue would come back during a later one. To add one, write
 * a `Benchmark` module in bench/ and list it here.
 */
export const BENCHMARKS: Benchmark[] = [
  e2eBenchmark,
  ceilingBenchmark,
  collectorVsBareBenchmark,
  snippetBenchmark,
  costBenchmark,
  queueLatencyBenchmark,
  audienceRematerialiseBenchmark,
  floodBenchmark,
  hotDayBenchmark,
];

const RESULTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'results');

async function main(): Promise<number> {
  installUsageCounter();
  const scale = Number(process.env.BENCH_SCALE ?? '1');
  if (!Number.isFinite(scale) || scale <= 0)
    throw new Error(`BENCH_SCALE must be a positive number, got ${process.env.BENCH_SCALE}`);
  // BENCH_ONLY=e2e,ceiling runs a subset (ids as in BENCHMARKS).
  const only = process.env.BENCH_ONLY?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const selected = only ? BENCHMARKS.filter((b) => only.includes(b.id)) : BENCHMARKS;
  const startedAt = new Date();
  const t0 = performance.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'intent-bench-'));
  const stackErrors: string[] = [];
  log(`scale ${scale}; benchmarks: ${selected.map((b) => b.id).join(', ')}; data in ${dataDir}`);
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    schedules: false,
    // The rollup consumer on a core of its own, as in Lambda and `npm start`; it counts its
    // DynamoDB requests too. BENCH_WORKERS=0 keeps it in this thread, for comparison.
    workerThreads: process.env.BENCH_WORKERS !== '0',
    workerPreload: [new URL('./worker-preload.ts', import.meta.url).href],
    onError: (err) => {
      stackErrors.push(String((err as Error)?.stack ?? err));
      if (stackErrors.length <= 3) log(`stack error: ${String(err)}`);
    },
  });
  const finishers: (() => Promise<void>)[] = [];
  const results: Record<string, BenchResult & { title: string; seconds: number; error?: string }> = {};
  const ctx: BenchContext = { stack, scale, metrics: {}, onFinish: (fn) => finishers.push(fn), stackErrors, results };
  try {
    for (const bench of selected) {
      log(`-- ${bench.title}`);
      const t = performance.now();
      try {
        results[bench.id] = { title: bench.title, ...(await bench.run(ctx)), seconds: seconds(t) };
      } catch (err) {
        log(`${bench.id} failed: ${(err as Error).stack ?? String(err)}`);
        results[bench.id] = {
          title: bench.title,
          rows: [{ name: `${bench.id} FAILED`, value: Number.NaN, unit: '', note: String((err as Error).message ?? err) }],
          seconds: seconds(t),
          error: String(err),
        };
      }
    }
  } finally {
    for (const fn of finishers) await fn().catch((err) => log(`cleanup failed: ${String(err)}`));
    log('stopping the stack');
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const rows = Object.values(results).flatMap((r) => r.rows);
  const durationSeconds = seconds(t0);
  process.stdout.write(`${table(rows)}\n`);
  const report = {
    startedAt: startedAt.toISOString(),
    durationSeconds,
    scale,
    machine: {
      node: process.version,
      platform: process.platform,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      loadavg: loadavg(),
    },
    commit: gitCommit(),
    rows,
    benchmarks: results,
    stackErrors: { count: stackErrors.length, first: stackErrors.slice(0, 5) },
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const stamped = join(RESULTS_DIR, `${startedAt.toISOString().replace(/:/g, '-')}.json`);
  writeFileSync(stamped, json);
  writeFileSync(join(RESULTS_DIR, 'latest.json'), json);
  log(`done in ${durationSeconds.toFixed(0)} s; wrote ${stamped} and latest.json`);
  return Object.values(results).some((r) => r.error) ? 1 : 0;
}

function table(rows: Row[]): string {
  const lines = [['benchmark', 'value', 'unit', 'note'], ...rows.map((r) => [r.name, format(r.value), r.unit, r.note ?? ''])];
  const widths = [40, 11, 12];
  return lines
    .map((cols) =>
      cols
        .map((c, i) => (i < widths.length ? c.padEnd((widths[i] as number) - 1) : c))
        .join(' ')
        .trimEnd(),
    )
    .join('\n');
}

function format(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  return value.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : 3);
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    log(`bench failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);

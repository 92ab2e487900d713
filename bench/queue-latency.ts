import type { Fit } from '@intent/fit';
import type { AccountIntent } from '@intent/intent';
import type { ScoreSnapshot } from '@intent/qualify';
import { type Benchmark, log } from './lib';

const SIZES = [10_000, 100_000] as const;
/** Measured reads per size, taken in pairs (one read of each size per pair). */
const READS = 4_000;
/** Pairs read before measuring: the first requests pay for JIT, connection set-up and cold caches. */
const WARMUP = 100;
const LIMIT = 25;
/** Page size of the walk that collects cursors over the whole queue (the API's largest). */
const WALK_LIMIT = 100;

/**
 * Queue reads at 10k and 100k queued accounts: the pod queue is a sparse index in priority
 * order read with cursor pagination, so a page should cost the same at either size.
 *
 * Both pods are seeded first (the same items `saveScore` writes, in batches), then each queue
 * is walked once through the API with the largest page to collect a cursor every 100 accounts
 * down its whole length (this also checks every seeded account is in it). The measurement
 * then reads the two sizes in pairs, in random order within each pair, so both sizes see the
 * same machine noise: a pair reads either both first pages or, at one random fraction of the
 * way down, the page after the cursor at that depth in each queue. Every read goes through the
 * HTTP API; after the warm-up pairs every one counts, slow or not.
 */
export const queueLatencyBenchmark: Benchmark = {
  id: 'queue',
  title: 'Pod queue read latency at 10k and 100k accounts',
  async run(ctx) {
    const sizes = SIZES.map((s) => Math.round(s * ctx.scale));
    const pods = sizes.map((size) => `bench-${size}`);
    const auth = { authorization: `Bearer ${ctx.stack.secrets.sdrKey}` };

    const seedStarted = performance.now();
    const seedSeconds: number[] = [];
    for (const [k, size] of sizes.entries()) {
      const podId = pods[k] as string;
      const t = performance.now();
      await ctx.stack.store.accounts.seedScores(
        Array.from({ length: size }, (_, i) => {
          const score = snapshot(i, podId);
          return { domain: `a${i}.${podId}.example`, score, placement: { podId, priority: score.priority } };
        }),
      );
      seedSeconds.push(Number(((performance.now() - t) / 1000).toFixed(1)));
      log(`seeded ${size} queued accounts in ${seedSeconds[k]} s`);
    }
    const seedTotal = Number(((performance.now() - seedStarted) / 1000).toFixed(1));

    const read = async (podId: string, limit: number, cursor?: string) => {
      const url = `${ctx.stack.baseUrl}/v1/pods/${podId}/queue?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const started = performance.now();
      const res = await fetch(url, { headers: auth });
      const body = (await res.json()) as { accounts?: unknown[]; nextCursor?: string };
      const ms = performance.now() - started;
      if (res.status !== 200 || body.accounts?.length !== limit)
        throw new Error(`queue read of ${podId} answered ${res.status} with ${body.accounts?.length} accounts`);
      return { ms, nextCursor: body.nextCursor };
    };

    // Cursors at every WALK_LIMIT accounts; only those with a full page of LIMIT after them.
    const walkStarted = performance.now();
    const cursors: string[][] = [];
    for (const [k, size] of sizes.entries()) {
      const podId = pods[k] as string;
      const list: string[] = [];
      let cursor: string | undefined;
      for (let seen = 0; seen < size; ) {
        const limit = Math.min(WALK_LIMIT, size - seen);
        cursor = (await read(podId, limit, cursor)).nextCursor;
        seen += limit;
        if (seen + LIMIT <= size) {
          if (!cursor) throw new Error(`queue ${podId} ended after ${seen} of ${size} accounts`);
          list.push(cursor);
        }
      }
      cursors.push(list);
    }
    const walkSeconds = Number(((performance.now() - walkStarted) / 1000).toFixed(1));
    log(`walked both queues for cursors (${cursors.map((c) => c.length).join(' and ')}) in ${walkSeconds} s`);

    const latencies: number[][] = sizes.map(() => []);
    const readsStarted = performance.now();
    for (let n = 0; n < WARMUP + READS; n++) {
      const fromCursor = Math.random() < 0.5;
      const depth = Math.random();
      const order = Math.random() < 0.5 ? [0, 1] : [1, 0];
      for (const k of order) {
        const list = cursors[k] as string[];
        const cursor = fromCursor ? list[Math.min(list.length - 1, Math.floor(depth * list.length))] : undefined;
        const { ms } = await read(pods[k] as string, LIMIT, cursor);
        if (n >= WARMUP) (latencies[k] as number[]).push(ms);
      }
    }
    const readSeconds = Number(((performance.now() - readsStarted) / 1000).toFixed(1));
    log(`read ${WARMUP + READS} pairs of pages in ${readSeconds} s`);

    const stats = latencies.map((l) => {
      const sorted = [...l].sort((a, b) => a - b);
      const p = (q: number) => Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1));
      return {
        p50: p(0.5),
        p90: p(0.9),
        p99: p(0.99),
        p999: p(0.999),
        max: p(1),
        mean: Number((l.reduce((a, b) => a + b, 0) / l.length).toFixed(2)),
      };
    });
    const [small, large] = stats as [(typeof stats)[0], (typeof stats)[0]];
    const [smallSize, largeSize] = sizes as [number, number];
    const ratio = small.p99 ? Number((large.p99 / small.p99).toFixed(2)) : Number.NaN;
    const rows = [
      {
        name: `queue read p50 @${smallSize}`,
        value: small.p50,
        unit: 'ms',
        note: `${READS} pages of ${LIMIT} per size through the HTTP API, sizes interleaved`,
      },
      { name: `queue read p99 @${smallSize}`, value: small.p99, unit: 'ms', note: '' },
      { name: `queue read p50 @${largeSize}`, value: large.p50, unit: 'ms', note: '' },
      { name: `queue read p99 @${largeSize}`, value: large.p99, unit: 'ms', note: '' },
      {
        name: `queue p99 @${largeSize} / @${smallSize}`,
        value: ratio,
        unit: 'ratio',
        note: 'goal within 1.5x either way, same run',
      },
    ];
    return {
      rows,
      details: {
        sizes,
        reads: READS,
        warmupPairs: WARMUP,
        limit: LIMIT,
        mix: 'half first pages, half from a cursor at a uniformly random depth (the same fraction in both queues)',
        cursors: cursors.map((c) => c.length),
        latencyMs: Object.fromEntries(sizes.map((s, k) => [s, stats[k]])),
        seedSeconds: { total: seedTotal, bySize: seedSeconds },
        walkSeconds,
        readSeconds,
      },
    };
  },
};

function snapshot(i: number, podId: string): ScoreSnapshot {
  const fit: Fit = {
    score: 80,
    tier: 'A',
    reasons: [{ criterion: 'icp', status: 'matched', message: 'benchmark account' }],
    excluded: false,
  };
  const intent: AccountIntent = { stage: 'surging', score: 50, topics: [], explanation: ['benchmark account'] };
  return {
    fit,
    intent,
    priority: ((i * 7919) % 1000) / 10,
    salesReady: true,
    readiness: ['benchmark account'],
    pod: podId,
    queuedIn: podId,
    explanation: ['benchmark account'],
    scoredAt: new Date().toISOString(),
    pushedAt: new Date().toISOString(),
  };
}

import type { Fit } from '@intent/fit';
import type { AccountIntent } from '@intent/intent';
import { settleLimited } from '@intent/pipeline';
import type { ScoreSnapshot } from '@intent/store';
import { type Benchmark, log } from './lib';

const SIZES = [10_000, 100_000];
const READS = 400;
/** Reads before measuring: the first requests pay for JIT and connection set-up. */
const WARMUP = 40;
const LIMIT = 25;

/**
 * Queue reads at 10k and 100k queued accounts: the pod queue is a sparse index in priority
 * order, so a page should cost the same at either size. Accounts are seeded through the
 * repository's own save (one UpdateItem each), then pages are read through the HTTP API: the
 * first page and pages reached by following cursors from random depths.
 */
export const queueLatencyBenchmark: Benchmark = {
  id: 'queue',
  title: 'Pod queue read latency at 10k and 100k accounts',
  async run(ctx) {
    const rows = [];
    const p99s: number[] = [];
    for (const size of SIZES.map((s) => Math.round(s * ctx.scale))) {
      const podId = `bench-${size}`;
      const t = performance.now();
      await settleLimited(
        Array.from({ length: size }, (_, i) => i),
        32,
        (i) => ctx.stack.store.accounts.saveScore(`a${i}.${podId}.example`, snapshot(i, podId), { podId, priority: (i * 7919) % 1000 / 10 }, 0),
      );
      log(`seeded ${size} queued accounts in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      const latencies: number[] = [];
      const cursors: string[] = [];
      for (let n = 0; n < WARMUP + READS; n++) {
        const cursor = n % 2 === 1 && cursors.length ? cursors[Math.floor(Math.random() * cursors.length)] : undefined;
        const url = `${ctx.stack.baseUrl}/v1/pods/${podId}/queue?limit=${LIMIT}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const started = performance.now();
        const res = await fetch(url, { headers: { authorization: `Bearer ${ctx.stack.secrets.sdrKey}` } });
        const body = (await res.json()) as { accounts: unknown[]; nextCursor?: string };
        if (n >= WARMUP) latencies.push(performance.now() - started);
        if (res.status !== 200 || body.accounts.length !== LIMIT) throw new Error(`queue read answered ${res.status} with ${body.accounts?.length} accounts`);
        if (body.nextCursor && cursors.length < 50) cursors.push(body.nextCursor);
      }
      latencies.sort((a, b) => a - b);
      const p = (q: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(1));
      p99s.push(p(0.99));
      rows.push(
        { name: `queue read p50 @${size}`, value: p(0.5), unit: 'ms', note: `${READS} pages of ${LIMIT} through the HTTP API` },
        { name: `queue read p99 @${size}`, value: p(0.99), unit: 'ms', note: '' },
      );
    }
    const ratio = p99s.length === 2 && p99s[0] ? Number(((p99s[1] as number) / p99s[0]).toFixed(2)) : Number.NaN;
    const [small, large] = SIZES.map((s) => Math.round(s * ctx.scale));
    rows.push({ name: `queue p99 @${large} / @${small}`, value: ratio, unit: 'ratio', note: 'goal within 1.5x, measured in the same run' });
    return { rows, details: { sizes: SIZES, reads: READS, limit: LIMIT, p99s } };
  },
};

function snapshot(i: number, podId: string): ScoreSnapshot {
  const fit: Fit = { score: 80, tier: 'A', reasons: [{ criterion: 'icp', status: 'matched', message: 'benchmark account' }], excluded: false };
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

import { performance } from 'node:perf_hooks';
import type { LocalStack } from '@intent/local';
import { dynamo, forEachLimited } from '@intent/store';
import { type DynamoCounts, ThreadedDynamoCounter } from './dynamo-counter';
import { accountRollupTotals, ingestQueue, queueDepth } from './inspect';
import {
  type Benchmark,
  BROWSER_UA,
  busyNote,
  log,
  perEvent,
  requestsOf,
  requestsPerEventNote,
  seconds,
  signed,
  sleep,
  sortedCounts,
  threadsBusy,
  topPerEvent,
} from './lib';
import { ThreadedUsageCounter, type Usage } from './usage-counter';
import { type Batch, configure, loadWorkload, sendersByWriteKey, toBatches } from './workload';

const IN_FLIGHT = 4;
/**
 * The replay posts the first batches again, as many as the first pass's rate says fit in
 * this time (all of them on a quiet machine): keeps the whole run under ~4 minutes on 2 cores.
 */
const REPLAY_BUDGET_SECONDS = 60;

interface PassResult {
  posted: number;
  accepted: number;
  rejectedByCode: Record<string, number>;
  httpErrors: Record<string, number>;
  postSeconds: number;
  /** First POST to the ingest queue seen empty (all batches rolled up and deleted). */
  wallSeconds: number;
  /** First POST to `stack.drain()` returning (adds the poller's long-poll stop, up to ~1 s). */
  drainSeconds: number;
  dynamo: DynamoCounts;
  /** Lambda invocations and their billed time, SQS calls and log bytes of the pass (for the cost model). */
  usage: Usage;
  /** HTTP requests posted. */
  requests: number;
  /** Bytes of their bodies. */
  requestBytes: number;
  /** Share of the pass each thread was busy: this one (API, collector, stand-ins) and each consumer worker. */
  busy: Record<string, number>;
}

/**
 * End-to-end on the demo mix: collector -> ingest queue -> rollup -> DynamoDB, counting every
 * DynamoDB request the handlers make (their own client, `@intent/store`'s `dynamo`), then the
 * same events again to show what duplicates cost.
 */
export const e2eBenchmark: Benchmark = {
  id: 'e2e',
  title: 'End-to-end pipeline on the demo mix',
  async run(ctx) {
    const { stack } = ctx;
    const workload = await loadWorkload(ctx.scale);
    const { data } = workload;
    log(`workload: ${data.events.length} events from ${workload.source}; configuring ${Object.keys(data.config).join(', ')}`);
    const setup = await configure(stack, data);
    const batches = toBatches(data.events, sendersByWriteKey(data.config));
    const counter = new ThreadedDynamoCounter(dynamo, stack.consumerWorkers);
    const usage = new ThreadedUsageCounter(stack.consumerWorkers);
    ctx.onFinish(async () => {
      counter.close();
      usage.close();
    });

    log(`posting ${data.events.length} events in ${batches.length} batches, ${IN_FLIGHT} in flight`);
    const first = await pass(stack, batches, counter, usage);
    const totalsFirst = await accountRollupTotals(stack);
    log(
      `first pass: ${first.accepted} accepted, ${totalsFirst.counts} counted in account rollups, ${first.wallSeconds.toFixed(1)} s`,
    );
    const replayCount = Math.min(
      batches.length,
      Math.max(1, Math.floor((batches.length * REPLAY_BUDGET_SECONDS) / first.wallSeconds)),
    );
    if (replayCount < batches.length)
      log(`replaying the first ${replayCount} of ${batches.length} batches (budget ${REPLAY_BUDGET_SECONDS} s)`);
    const replay = await pass(stack, batches.slice(0, replayCount), counter, usage);
    const totalsReplay = await accountRollupTotals(stack);
    // Every replayed event is a duplicate: any change of the account counters is a finding.
    const countsAddedByReplay = totalsReplay.counts - totalsFirst.counts;
    log(`replay: ${replay.accepted} accepted, account counts ${signed(countsAddedByReplay)}, ${replay.wallSeconds.toFixed(1)} s`);
    const dlqUrl = ingestQueue(stack).dlqUrl;
    const dlq = dlqUrl ? await queueDepth(stack, dlqUrl) : undefined;

    const eventsPerSecond = first.accepted / first.wallSeconds;
    const writesPerEvent = first.dynamo.writes / Math.max(1, first.accepted);
    const readsPerEvent = first.dynamo.reads / Math.max(1, first.accepted);
    const replayWrites = replay.dynamo.writes / Math.max(1, replay.accepted);
    Object.assign(ctx.metrics, {
      'e2e.eventsPerSecond': eventsPerSecond,
      'e2e.writesPerEvent': writesPerEvent,
      'e2e.dynamoItemsPerSecond': (first.dynamo.writes + first.dynamo.reads) / first.wallSeconds,
    });
    const top = topPerEvent(first.dynamo.writesByKind, first.accepted, 3);
    const replayFailed = Object.values(replay.dynamo.failedWritesByKind).reduce((a, b) => a + b, 0);
    return {
      rows: [
        {
          name: 'e2e events accepted',
          value: first.accepted,
          unit: 'events',
          note: `${first.posted} posted, ${rejectedTotal(first)} rejected, ${first.posted - first.accepted - rejectedTotal(first)} dropped; ${totalsFirst.counts} counted in account rollups; ${workload.source}`,
        },
        {
          name: 'e2e events/s',
          value: eventsPerSecond,
          unit: 'events/s',
          note: `${first.accepted} events, drained in ${first.wallSeconds.toFixed(1)} s (posts done at ${first.postSeconds.toFixed(1)} s); threads busy: ${busyNote(first.busy)}`,
        },
        {
          name: 'dynamodb writes per event',
          value: writesPerEvent,
          unit: 'writes/ev',
          note: `goal <= 0.25; ${first.dynamo.writes} writes; ${top}`,
        },
        {
          name: 'dynamodb write units per event',
          value: first.dynamo.writeUnits / Math.max(1, first.accepted),
          unit: 'WCU/ev',
          note: `what DynamoDB bills (1 KB of the larger of old and new item per write); ${topPerEvent(first.dynamo.writeUnitsByKind, first.accepted, 2)}`,
        },
        {
          name: 'dynamodb read units per event',
          value: first.dynamo.readUnits / Math.max(1, first.accepted),
          unit: 'RCU/ev',
          note: 'context (4 KB per read unit)',
        },
        {
          name: 'dynamodb requests per event',
          value: requestsOf(first.dynamo) / Math.max(1, first.accepted),
          unit: 'requests/ev',
          note: `what each thread's HTTP stack and the stand-in pay for, whatever the items: ${requestsPerEventNote(first.dynamo, first.accepted)}`,
        },
        {
          name: 'dynamodb reads per event',
          value: readsPerEvent,
          unit: 'reads/ev',
          note: `${first.dynamo.reads} item reads (context)`,
        },
        {
          name: 'replay writes per event',
          value: replayWrites,
          unit: 'writes/ev',
          note: `${replay.posted} replayed; ${replay.dynamo.writes} writes, ${replayFailed} failed conditionals; account counts ${signed(countsAddedByReplay)} (want +0)`,
        },
        {
          name: 'replay events/s',
          value: replay.accepted / replay.wallSeconds,
          unit: 'events/s',
          note: `duplicates, drained in ${replay.wallSeconds.toFixed(1)} s`,
        },
      ],
      details: {
        source: workload.source,
        events: data.events.length,
        batches: batches.length,
        replayedBatches: replayCount,
        setup,
        accountRollups: { afterFirstPass: totalsFirst, afterReplay: totalsReplay, countsAddedByReplay },
        writesPerEventByKind: perEvent(first.dynamo.writesByKind, first.accepted),
        writeUnitsPerEventByKind: perEvent(first.dynamo.writeUnitsByKind, first.accepted),
        readsPerEventByKind: perEvent(first.dynamo.readsByKind, first.accepted),
        replayWritesPerEventByKind: perEvent(replay.dynamo.writesByKind, replay.accepted),
        first,
        replay,
        ingestDlqDepthAfter: dlq,
      },
    };
  },
};

async function pass(
  stack: LocalStack,
  batches: Batch[],
  counter: ThreadedDynamoCounter,
  usageCounter: ThreadedUsageCounter,
): Promise<PassResult> {
  const rejectedByCode = new Map<string, number>();
  const httpErrors = new Map<string, number>();
  let accepted = 0;
  let posted = 0;
  let requestBytes = 0;
  await counter.start();
  await usageCounter.start();
  const busySince = threadsBusy(stack);
  const t0 = performance.now();
  await forEachLimited(batches, IN_FLIGHT, async (batch) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': BROWSER_UA };
    if (batch.origin) headers.origin = batch.origin;
    const body = JSON.stringify({ writeKey: batch.writeKey, batch: batch.events });
    requestBytes += Buffer.byteLength(body);
    const res = await fetch(`${stack.baseUrl}/v1/collect`, { method: 'POST', headers, body });
    const answer = (await res.json().catch(() => ({}))) as {
      accepted?: number;
      rejected?: { code: string }[];
      error?: { code?: string };
    };
    posted += batch.events.length;
    if (res.status !== 202)
      httpErrors.set(
        `${res.status} ${answer.error?.code ?? ''}`,
        (httpErrors.get(`${res.status} ${answer.error?.code ?? ''}`) ?? 0) + 1,
      );
    accepted += answer.accepted ?? 0;
    for (const r of answer.rejected ?? []) rejectedByCode.set(r.code, (rejectedByCode.get(r.code) ?? 0) + 1);
  });
  const postSeconds = seconds(t0);
  const ingest = ingestQueue(stack);
  while ((await queueDepth(stack, ingest.url)) > 0) await sleep(50);
  const wallSeconds = seconds(t0);
  const busy = busySince();
  await stack.drain(600_000);
  const drainSeconds = seconds(t0);
  return {
    posted,
    accepted,
    rejectedByCode: sortedCounts(rejectedByCode),
    httpErrors: sortedCounts(httpErrors),
    postSeconds,
    wallSeconds,
    drainSeconds,
    dynamo: await counter.stop(),
    usage: await usageCounter.stop(),
    requests: batches.length,
    requestBytes,
    busy,
  };
}

const rejectedTotal = (p: PassResult) => Object.values(p.rejectedByCode).reduce((a, b) => a + b, 0);

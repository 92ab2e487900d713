import { performance } from 'node:perf_hooks';
import { dayOf } from '@intent/intent';
import type { LocalStack } from '@intent/local';
import { dynamo, forEachLimited } from '@intent/store';
import { ThreadedDynamoCounter } from './dynamo-counter';
import { steadyPhase } from './hot-day-freshness';
import { deadLetters, type LaneKeys, postBatch, waitForRollup } from './hot-day-post';
import {
  type Counts,
  type DayPass,
  dayRows,
  errorsByLine,
  largestItemRow,
  passDetails,
  replayRows,
  steadyRows,
} from './hot-day-rows';
import { type Api, adminApi, setUpHotDay } from './hot-day-setup';
import { BATCH, batchAt, batchCount, COMPANY, HOT_DAY_SITE, type HotDaySpec, hotDaySpec } from './hot-day-workload';
import { largestItems } from './inspect';
import { type Benchmark, log, seconds, signed, sortedCounts, threadsBusy } from './lib';

/** Requests in flight while posting the day: enough to keep the collector busy on two cores. */
const IN_FLIGHT = 8;
/** Accounts the engaged-read markers go round: one marker outstanding per account. */
const READ_MARKER_ACCOUNTS = 6;

/**
 * The hot day (README, Benchmarks): one site's UTC day of N events (BENCH_HOTDAY_EVENTS,
 * default 300,000 x BENCH_SCALE), a third of them from one company's network, posted as fast
 * as the collector takes them; what was counted against what was accepted, the DLQ, and what
 * DynamoDB paid per event; the same day again (every event a duplicate: counts +0); then a
 * steady phase at half the measured end-to-end rate (or BENCH_HOTDAY_STEADY_RATE events/s) for
 * BENCH_HOTDAY_STEADY_SECONDS (default 60),
 * timing marker events from their 202 to the account's new score and to a pod's queue.
 * Runs last: it deletes what earlier benchmarks left.
 */
export const hotDayBenchmark: Benchmark = {
  id: 'hotday',
  title: 'Hot day: one site, one day, one company behind one IP range',
  async run(ctx) {
    const { stack } = ctx;
    const events = envNumber('BENCH_HOTDAY_EVENTS', Math.round(300_000 * ctx.scale));
    const steadySeconds = envNumber('BENCH_HOTDAY_STEADY_SECONDS', 60);
    const drainTimeoutMs = envNumber('BENCH_HOTDAY_DRAIN_SECONDS', 1_800) * 1000;
    const day = dayOf(new Date(Date.now() - 86_400_000));
    const spec = hotDaySpec(events, day);
    // One hand-raise a second, each on a fresh account (an account stays in the queue).
    const markers = { read: READ_MARKER_ACCOUNTS, raise: Math.ceil(steadySeconds) + 10 };
    const setup = await setUpHotDay(stack, markers);
    const api = adminApi(stack);
    const counter = new ThreadedDynamoCounter(dynamo, stack.consumerWorkers);
    ctx.onFinish(async () => counter.close());

    log(`hot day ${day}: ${spec.events} events in ${batchCount(spec)} requests, ${IN_FLIGHT} in flight`);
    const first = await postDay(stack, setup.keys, spec, counter, drainTimeoutMs, 'hot day', ctx.stackErrors);
    const countsFirst = await countsOf(stack, api, day);
    log(
      `hot day: ${first.accepted} accepted in ${first.postSeconds.toFixed(1)} s, rolled up in ${first.wallSeconds.toFixed(1)} s; ` +
        `counted: site ${countsFirst.site}, company ${countsFirst.company} of ${first.acceptedByLane.server}`,
    );
    const replay = await postDay(stack, setup.keys, spec, counter, drainTimeoutMs, 'replay', ctx.stackErrors);
    const countsReplay = await countsOf(stack, api, day);
    log(
      `replay: site ${signed(countsReplay.site - countsFirst.site)}, company ${signed(countsReplay.company - countsFirst.company)}`,
    );
    const dlqAfterDay = await deadLetters(stack);
    const largest = await largestItems(stack, 3);

    const e2eRate = first.accepted / first.wallSeconds;
    const steadyRate = envNumber('BENCH_HOTDAY_STEADY_RATE', e2eRate / 2);
    log(`steady phase: ${steadyRate.toFixed(0)} events/s for ${steadySeconds} s, with markers`);
    await counter.start();
    const steadyBusySince = threadsBusy(stack);
    const steady = await steadyPhase(stack, api, setup.keys, {
      spec: { ...spec, idPrefix: 'hs' },
      eventsPerSecond: steadyRate,
      seconds: steadySeconds,
      readAccounts: markers.read,
      raiseAccounts: markers.raise,
    });
    const steadyCost = { busy: steadyBusySince(), dynamo: await counter.stop() };
    const dlqAtEnd = await deadLetters(stack);
    Object.assign(ctx.metrics, {
      'hotday.eventsPerSecond': e2eRate,
      'hotday.writesPerEvent': first.dynamo.writes / Math.max(1, first.accepted),
    });
    return {
      rows: [
        ...dayRows(spec, first, countsFirst, dlqAfterDay, ctx.metrics['e2e.writesPerEvent']),
        ...replayRows(first, replay, countsFirst, countsReplay),
        largestItemRow(largest),
        ...steadyRows(steady, steadyCost),
      ],
      details: {
        day,
        spec,
        inFlight: IN_FLIGHT,
        setup: { ...setup, keys: undefined },
        first: passDetails(first),
        replay: passDetails(replay),
        counts: { first: countsFirst, replay: countsReplay },
        deadLetters: { afterDayAndReplay: dlqAfterDay, atEnd: dlqAtEnd },
        largestItemsAfterReplay: largest,
        steady: { ...steady, ...steadyCost },
      },
    };
  },
};

/** Posts every batch of the day (`IN_FLIGHT` at once), then waits for the rollup consumer; counts DynamoDB throughout. */
async function postDay(
  stack: LocalStack,
  keys: LaneKeys,
  spec: HotDaySpec,
  counter: ThreadedDynamoCounter,
  drainTimeoutMs: number,
  label: string,
  stackErrors: readonly string[],
): Promise<DayPass> {
  const errorsBefore = stackErrors.length;
  const rejected = new Map<string, number>();
  const httpErrors = new Map<string, number>();
  const acceptedByLane = { server: 0, browser: 0 };
  let posted = 0;
  let retries = 0;
  await counter.start();
  const busySince = threadsBusy(stack);
  const t0 = performance.now();
  const progress = setInterval(() => log(`${label}: ${posted} of ${spec.events} posted`), 15_000);
  try {
    const indices = Array.from({ length: batchCount(spec) }, (_, b) => b);
    await forEachLimited(indices, IN_FLIGHT, async (b) => {
      const batch = batchAt(spec, b);
      const out = await postBatch(stack, keys, batch);
      posted += BATCH;
      retries += out.retries;
      acceptedByLane[batch.lane] += out.accepted;
      if (out.error) httpErrors.set(out.error, (httpErrors.get(out.error) ?? 0) + 1);
      for (const code of out.rejectedCodes) rejected.set(code, (rejected.get(code) ?? 0) + 1);
    });
  } finally {
    clearInterval(progress);
  }
  const postSeconds = seconds(t0);
  const settled = await waitForRollup(stack, drainTimeoutMs, label);
  const busy = busySince();
  return {
    inFlight: IN_FLIGHT,
    posted,
    accepted: acceptedByLane.server + acceptedByLane.browser,
    acceptedByLane,
    rejectedByCode: sortedCounts(rejected),
    httpErrors: sortedCounts(httpErrors),
    retries,
    postSeconds,
    wallSeconds: seconds(t0, settled.at),
    failedAwaitingRetry: settled.failedAwaitingRetry,
    stackErrors: errorsByLine(stackErrors.slice(errorsBefore)),
    dynamo: await counter.stop(),
    busy,
  };
}

/**
 * What the pipeline counted for the day. The site: its ingestion stats (every accepted event,
 * identifies included). The company: the events in its rollups, read through the store's
 * repository with the stack's own client (not counted as pipeline traffic). A rollup counts an
 * event once per topic it carries (`c#<signal>#<topic>`), so summing the cells counts events
 * only because every company event carries exactly one topic (the workload's promise, unit-tested).
 */
async function countsOf(stack: LocalStack, api: Api, day: string): Promise<Counts> {
  const stats = await api('GET', `/v1/ingestion/stats?from=${day}T00:00:00.000Z&to=${day}T23:59:59.999Z`);
  if (stats.status !== 200) throw new Error(`GET /v1/ingestion/stats answered ${stats.status}: ${stats.text.slice(0, 300)}`);
  const site = Number((stats.body as { sites?: Record<string, { accepted?: number }> }).sites?.[HOT_DAY_SITE.id]?.accepted ?? 0);
  const rollups = (await stack.store.rollups.since(COMPANY.domain, day)).filter((r) => r.day === day);
  const company = rollups.reduce((n, r) => n + Object.values(r.counts).reduce((a, c) => a + (c ?? 0), 0), 0);
  return { site, company };
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}

import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ENV } from '@intent/resources';
import type { LocalStack } from '@intent/local';
import { dynamo } from '@intent/store';
import { type DynamoCounts, DynamoCounter } from './dynamo-counter';
import { BROWSER_UA, type Benchmark, log, pool, seconds, sleep, sortedCounts } from './lib';
import { type DemoEvent, configure, loadWorkload, originsByWriteKey } from './workload';

const BATCH = 100;
const IN_FLIGHT = 4;

interface Batch {
  writeKey: string;
  origin?: string;
  events: Record<string, unknown>[];
}

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
    const batches = toBatches(data.events, originsByWriteKey(data.config));
    const counter = new DynamoCounter();
    counter.install(dynamo);

    log(`posting ${data.events.length} events in ${batches.length} batches, ${IN_FLIGHT} in flight`);
    const first = await pass(stack, batches, counter);
    const rolledUpFirst = await rolledUpEvents(stack);
    log(`first pass: ${first.accepted} accepted, ${rolledUpFirst} rolled up, queue empty after ${first.wallSeconds.toFixed(1)} s`);
    const replay = await pass(stack, batches, counter);
    const rolledUpNewOnReplay = (await rolledUpEvents(stack)) - rolledUpFirst;
    log(`replay: ${replay.accepted} accepted, ${rolledUpNewOnReplay} newly rolled up, queue empty after ${replay.wallSeconds.toFixed(1)} s`);
    const dlq = await dlqDepth(stack);

    const eventsPerSecond = first.accepted / first.wallSeconds;
    const writesPerEvent = first.dynamo.writes / Math.max(1, first.accepted);
    const readsPerEvent = first.dynamo.reads / Math.max(1, first.accepted);
    const replayWrites = replay.dynamo.writes / Math.max(1, replay.accepted);
    Object.assign(ctx.metrics, { 'e2e.eventsPerSecond': eventsPerSecond, 'e2e.writesPerEvent': writesPerEvent });
    const top = Object.entries(first.dynamo.writesByKind)
      .slice(0, 3)
      .map(([k, n]) => `${k.split(' ')[0]} ${(n / Math.max(1, first.accepted)).toFixed(3)}`)
      .join(', ');
    const replayFailed = Object.values(replay.dynamo.failedWritesByKind).reduce((a, b) => a + b, 0);
    return {
      rows: [
        { name: 'e2e events accepted', value: first.accepted, unit: 'events', note: `${first.posted} posted, ${rejectedTotal(first)} rejected, ${first.posted - first.accepted - rejectedTotal(first)} dropped; ${rolledUpFirst} rolled up; ${workload.source}` },
        { name: 'e2e events/s', value: eventsPerSecond, unit: 'events/s', note: `${first.accepted} events, drained in ${first.wallSeconds.toFixed(1)} s (posts done at ${first.postSeconds.toFixed(1)} s)` },
        { name: 'dynamodb writes per event', value: writesPerEvent, unit: 'writes/ev', note: `goal <= 0.25; ${first.dynamo.writes} writes; ${top}` },
        { name: 'dynamodb reads per event', value: readsPerEvent, unit: 'reads/ev', note: `${first.dynamo.reads} item reads (context)` },
        { name: 'replay writes per event', value: replayWrites, unit: 'writes/ev', note: `${replay.dynamo.writes} writes, ${replayFailed} of them failed conditionals; ${rolledUpNewOnReplay} events first rolled up now` },
        { name: 'replay events/s', value: replay.accepted / replay.wallSeconds, unit: 'events/s', note: `duplicates, drained in ${replay.wallSeconds.toFixed(1)} s` },
      ],
      details: {
        source: workload.source,
        events: data.events.length,
        batches: batches.length,
        setup,
        rolledUpEvents: { firstPass: rolledUpFirst, newOnReplay: rolledUpNewOnReplay },
        first,
        replay,
        ingestDlqDepthAfter: dlq,
      },
    };
  },
};

/** Each write key's events in their order, in batches of 100; write keys interleaved batch by batch. */
function toBatches(events: DemoEvent[], origins: Map<string, string | undefined>): Batch[] {
  const byKey = new Map<string, Record<string, unknown>[]>();
  for (const { writeKey, event } of events) {
    const list = byKey.get(writeKey) ?? [];
    list.push(event);
    byKey.set(writeKey, list);
  }
  const lanes = [...byKey].map(([writeKey, list]) => {
    const out: Batch[] = [];
    for (let i = 0; i < list.length; i += BATCH) out.push({ writeKey, origin: origins.get(writeKey), events: list.slice(i, i + BATCH) });
    return out;
  });
  const batches: Batch[] = [];
  for (let i = 0; lanes.some((l) => i < l.length); i++) for (const lane of lanes) if (lane[i]) batches.push(lane[i] as Batch);
  return batches;
}

async function pass(stack: LocalStack, batches: Batch[], counter: DynamoCounter): Promise<PassResult> {
  const rejectedByCode = new Map<string, number>();
  const httpErrors = new Map<string, number>();
  let accepted = 0;
  let posted = 0;
  counter.start();
  const t0 = performance.now();
  await pool(batches, IN_FLIGHT, async (batch) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': BROWSER_UA };
    if (batch.origin) headers.origin = batch.origin;
    const res = await fetch(`${stack.baseUrl}/v1/collect`, { method: 'POST', headers, body: JSON.stringify({ writeKey: batch.writeKey, batch: batch.events }) });
    const body = (await res.json().catch(() => ({}))) as { accepted?: number; rejected?: { code: string }[]; error?: { code?: string } };
    posted += batch.events.length;
    if (res.status !== 202) httpErrors.set(`${res.status} ${body.error?.code ?? ''}`, (httpErrors.get(`${res.status} ${body.error?.code ?? ''}`) ?? 0) + 1);
    accepted += body.accepted ?? 0;
    for (const r of body.rejected ?? []) rejectedByCode.set(r.code, (rejectedByCode.get(r.code) ?? 0) + 1);
  });
  const postSeconds = seconds(t0);
  const ingest = stack.queues.ingest;
  if (!ingest) throw new Error('the stack has no ingest queue');
  while ((await depth(stack, ingest.url)) > 0) await sleep(50);
  const wallSeconds = seconds(t0);
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
    dynamo: counter.stop(),
  };
}

/** Messages visible or in flight. */
async function depth(stack: LocalStack, queueUrl: string): Promise<number> {
  const out = await stack.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

async function dlqDepth(stack: LocalStack): Promise<number | undefined> {
  const url = stack.queues.ingest?.dlqUrl;
  return url ? depth(stack, url) : undefined;
}

/**
 * Distinct event ids the rollup items hold (an event on two topics is in two items): what the
 * pipeline actually counted. Read with the stack's own client, so not counted as pipeline reads.
 */
async function rolledUpEvents(stack: LocalStack): Promise<number> {
  const ids = new Set<string>();
  let start: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const out = await stack.dynamo.send(
      new ScanCommand({
        TableName: process.env[ENV.tableName],
        FilterExpression: 'begins_with(sk, :r)',
        ExpressionAttributeValues: { ':r': { S: 'R#' } },
        ProjectionExpression: 'ids',
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) for (const id of item.ids?.SS ?? []) ids.add(id);
    start = out.LastEvaluatedKey;
  } while (start);
  return ids.size;
}

const rejectedTotal = (p: PassResult) => Object.values(p.rejectedByCode).reduce((a, b) => a + b, 0);

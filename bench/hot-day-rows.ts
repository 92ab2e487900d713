import type { DynamoCounts } from './dynamo-counter';
import { percentile, type SteadyResult } from './hot-day-freshness';
import { BATCH, batchCount, COMPANY, type HotDaySpec } from './hot-day-workload';
import type { ItemSize } from './inspect';
import { busyNote, perEvent, type Row, requestsOf, requestsPerEventNote, signed, sortedCounts, topPerEvent } from './lib';

/** One pass over the hot day: what was posted and accepted, how long it took, what DynamoDB did. */
export interface DayPass {
  inFlight: number;
  posted: number;
  accepted: number;
  acceptedByLane: { server: number; browser: number };
  rejectedByCode: Record<string, number>;
  httpErrors: Record<string, number>;
  retries: number;
  postSeconds: number;
  /** First POST until the rollup consumer had done all it could (the queue empty, or only failed messages left). */
  wallSeconds: number;
  failedAwaitingRetry: number;
  /** What the stack's handlers and pollers reported during the pass, by first line. */
  stackErrors: Record<string, number>;
  dynamo: DynamoCounts;
  busy: Record<string, number>;
}

export interface Counts {
  /** The site's `accepted` for the day in `GET /v1/ingestion/stats`. */
  site: number;
  /** Events in the company's rollups of the day. */
  company: number;
}

/** The table's rows of the first pass. */
export function dayRows(
  spec: HotDaySpec,
  p: DayPass,
  counts: Counts,
  dlq: Record<string, number>,
  demoWritesPerEvent: number | undefined,
): Row[] {
  const rejected = Object.values(p.rejectedByCode).reduce((a, b) => a + b, 0);
  const errors = Object.entries(p.httpErrors).map(([e, n]) => `${n} x ${e}`);
  const perEv = (n: number) => n / Math.max(1, p.accepted);
  const dlqTotal = Object.values(dlq).reduce((a, b) => a + b, 0);
  return [
    {
      name: 'hotday events accepted',
      value: p.accepted,
      unit: 'events',
      note: `${p.posted} posted in ${batchCount(spec)} requests (${p.acceptedByLane.server} accepted from the company, server-side); ${rejected} rejected${errors.length ? `; HTTP errors: ${errors.join(', ')}` : ''}${p.retries ? `; ${p.retries} retried (429/5xx)` : ''}; day ${spec.day}`,
    },
    {
      name: 'hotday accept events/s',
      value: p.accepted / p.postSeconds,
      unit: 'events/s',
      note: `posted in ${p.postSeconds.toFixed(1)} s, ${p.inFlight} requests of ${BATCH} in flight`,
    },
    {
      name: 'hotday e2e events/s',
      value: p.accepted / p.wallSeconds,
      unit: 'events/s',
      note: `first POST to the rollup consumer done: ${p.wallSeconds.toFixed(1)} s; threads busy: ${busyNote(p.busy)}${p.failedAwaitingRetry ? `; ${p.failedAwaitingRetry} messages failed: a pace of giving up, not of counting` : ''}`,
    },
    {
      name: 'hotday counted/accepted, site',
      value: counts.site / Math.max(1, p.accepted),
      unit: 'ratio',
      note: `want 1.000; ${counts.site} of ${p.accepted} in GET /v1/ingestion/stats for the day`,
    },
    {
      name: 'hotday counted/accepted, company',
      value: counts.company / Math.max(1, p.acceptedByLane.server),
      unit: 'ratio',
      note: `want 1.000; ${counts.company} of ${p.acceptedByLane.server} in ${COMPANY.domain}'s rollups for the day (one topic each)`,
    },
    {
      name: 'hotday messages in the DLQ',
      value: dlqTotal,
      unit: 'messages',
      note: `want 0; ${Object.entries(dlq)
        .map(([q, n]) => `${q} ${n}`)
        .join(', ')} after the day and its replay`,
    },
    {
      name: 'hotday messages failed, awaiting retry',
      value: p.failedAwaitingRetry,
      unit: 'messages',
      note: `want 0; failed ingest messages waiting out the 362 s visibility timeout when the rollup went idle (the DLQ takes them after 5 receives); ${refusedWrites(p.dynamo)} writes failed other than by a condition (an item over 400 KB, say)${errorsNote(p)}`,
    },
    {
      name: 'hotday dynamodb writes per event',
      value: perEv(p.dynamo.writes),
      unit: 'writes/ev',
      note: `want <= the demo mix (${demoWritesPerEvent === undefined ? 'run e2e too to compare' : `${demoWritesPerEvent.toFixed(3)} in this run`}); ${p.dynamo.writes} writes; ${topPerEvent(p.dynamo.writesByKind, p.accepted, 3)}`,
    },
    {
      name: 'hotday dynamodb write units per event',
      value: perEv(p.dynamo.writeUnits),
      unit: 'WCU/ev',
      note: `1 KB of the larger of old and new item per write; ${topPerEvent(p.dynamo.writeUnitsByKind, p.accepted, 2)}`,
    },
    {
      name: 'hotday dynamodb requests per event',
      value: perEv(requestsOf(p.dynamo)),
      unit: 'requests/ev',
      note: requestsPerEventNote(p.dynamo, p.accepted),
    },
  ];
}

export function replayRows(first: DayPass, replay: DayPass, before: Counts, after: Counts): Row[] {
  const failed = Object.values(replay.dynamo.failedWritesByKind).reduce((a, b) => a + b, 0);
  return [
    {
      name: 'hotday replay: site counts change',
      value: after.site - before.site,
      unit: 'events',
      note: `want +0; the same ${replay.posted} events again (${replay.accepted} accepted: duplicates are accepted, then not counted)${before.site < first.accepted ? `; events the first pass failed to count (${first.accepted - before.site}) may count now` : ''}`,
    },
    {
      name: 'hotday replay: company counts change',
      value: after.company - before.company,
      unit: 'events',
      note: `want +0; ${signed(after.company - before.company)} on ${before.company}${before.company < first.acceptedByLane.server ? `; events the first pass failed to count (${first.acceptedByLane.server - before.company}) may count now` : ''}`,
    },
    {
      name: 'hotday replay writes per event',
      value: replay.dynamo.writes / Math.max(1, replay.accepted),
      unit: 'writes/ev',
      note: `${replay.dynamo.writes} writes, ${failed} failed conditionals; rolled up in ${replay.wallSeconds.toFixed(1)} s (first pass ${first.wallSeconds.toFixed(1)} s)${replay.failedAwaitingRetry ? `; ${replay.failedAwaitingRetry} messages failed, awaiting retry` : ''}${errorsNote(replay)}`,
    },
  ];
}

/** The largest item after the day and its replay: DynamoDB refuses items over 400 KB, and bills every write by size. */
export function largestItemRow(largest: ItemSize[]): Row {
  const [top, ...next] = largest;
  const kb = (i: ItemSize) => `${(i.bytes / 1024).toFixed(0)} KB`;
  return {
    name: 'hotday largest item',
    value: (top?.bytes ?? 0) / 1024,
    unit: 'KB',
    note: `DynamoDB's limit is 400 KB; ${top ? top.kind : 'empty table'}${next.length ? `; next: ${next.map((i) => `${i.kind} ${kb(i)}`).join(', ')}` : ''}`,
  };
}

/**
 * The steady phase: its rate, what DynamoDB paid per event while live traffic came in small
 * batches (each batch writes its items once, so this is the cost of a normal day), and freshness.
 */
export function steadyRows(s: SteadyResult, cost: { busy: Record<string, number>; dynamo: DynamoCounts }): Row[] {
  const perEv = (n: number) => n / Math.max(1, s.accepted);
  const rows: Row[] = [
    {
      name: 'hotday steady events/s',
      value: s.eventsPerSecond,
      unit: 'events/s',
      note: `target ${s.targetEventsPerSecond.toFixed(0)} for ${s.seconds.toFixed(0)} s; markers polled ${s.polls} times (${s.pollsPerSecond.toFixed(1)}/s); threads busy: ${busyNote(cost.busy)}${Object.keys(s.backgroundErrors).length ? `; errors ${JSON.stringify(s.backgroundErrors)}` : ''}`,
    },
    {
      name: 'hotday steady dynamodb writes per event',
      value: perEv(cost.dynamo.writes),
      unit: 'writes/ev',
      note: `live batches; ${topPerEvent(cost.dynamo.writesByKind, s.accepted, 3)}`,
    },
    {
      name: 'hotday steady dynamodb write units per event',
      value: perEv(cost.dynamo.writeUnits),
      unit: 'WCU/ev',
      note: topPerEvent(cost.dynamo.writeUnitsByKind, s.accepted, 2),
    },
    {
      name: 'hotday steady dynamodb requests per event',
      value: perEv(requestsOf(cost.dynamo)),
      unit: 'requests/ev',
      note: `the markers' polls included; ${requestsPerEventNote(cost.dynamo, s.accepted)}`,
    },
  ];
  const kinds = [
    ['read', 'engaged read to GET /v1/accounts/{domain}', s.read],
    ['hand-raise', 'demo request to GET /v1/pods/{pod}/queue', s.raise],
  ] as const;
  for (const [label, what, samples] of kinds) {
    const unseen = samples.seconds.filter((x) => !Number.isFinite(x)).length;
    for (const p of [50, 95, 99])
      rows.push({
        name: `hotday freshness ${label} p${p}`,
        value: percentile(samples.seconds, p),
        unit: 's',
        note:
          p === 95
            ? `want <= 5 s; ${what}; ${samples.seconds.length} samples of ${samples.sent} sent${unseen ? `, ${unseen} never seen within 30 s (counted as infinitely late)` : ''}${samples.failedPosts ? `, ${samples.failedPosts} not accepted` : ''}${samples.skipped ? `, ${samples.skipped} ticks skipped (every account had one outstanding)` : ''}`
            : `${samples.seconds.length} samples`,
      });
  }
  return rows;
}

const WRITE_OPERATIONS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'];

/** Write requests that failed for another reason than their condition (a lost race is part of the design). */
export const refusedWrites = (counts: DynamoCounts) =>
  WRITE_OPERATIONS.reduce((n, op) => {
    const s = counts.byOperation[op];
    return n + (s ? s.failed - s.conditionalCheckFailed : 0);
  }, 0);

/** Errors by their first line (a stack trace's message), for the JSON and the notes. */
export function errorsByLine(errors: readonly string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const e of errors) {
    const line = (e.split('\n')[0] ?? '').slice(0, 120);
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return sortedCounts(counts);
}

const errorsNote = (p: DayPass) => {
  const entries = Object.entries(p.stackErrors);
  return entries.length ? `; stack errors: ${entries.map(([line, n]) => `${n} x ${line}`).join('; ')}` : '';
};

export const passDetails = (p: DayPass) => ({
  ...p,
  writesPerEventByKind: perEvent(p.dynamo.writesByKind, p.accepted),
  writeUnitsPerEventByKind: perEvent(p.dynamo.writeUnitsByKind, p.accepted),
  readsPerEventByKind: perEvent(p.dynamo.readsByKind, p.accepted),
});

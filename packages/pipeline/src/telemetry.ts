import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CollectorStats } from '@intent/events';
import { METRICS } from '@intent/resources';
import type { RollupOutcome } from './rollup';

/** One datapoint: a metric's name, unit and value, and its `reason` when it is a drop. */
export interface Datapoint {
  name: (typeof METRICS)[Exclude<keyof typeof METRICS, 'namespace'>];
  unit: (typeof MetricUnit)[keyof typeof MetricUnit];
  value: number;
  reason?: string;
}

/** What one rollup batch did, in the metrics the stack's alarms and dashboard read. */
export function batchDatapoints(batch: {
  /** The events of the batch and the collector stats it carried. */
  events: number;
  stats: CollectorStats[];
  outcome: RollupOutcome;
  durationMs: number;
  /** When the collector queued the batch's oldest message (SQS `SentTimestamp`), in ms; undefined for an empty batch. */
  oldestSentAt: number | undefined;
  now: number;
}): Datapoint[] {
  const { events, stats, outcome, durationMs, oldestSentAt, now } = batch;
  const dropped = new Map<string, number>();
  let rejected = 0;
  for (const s of stats) {
    for (const n of Object.values(s.rejected)) rejected += n;
    for (const [reason, n] of Object.entries(s.dropped)) dropped.set(reason, (dropped.get(reason) ?? 0) + n);
  }
  const points: Datapoint[] = [
    { name: METRICS.eventsAccepted, unit: MetricUnit.Count, value: events },
    { name: METRICS.eventsRejected, unit: MetricUnit.Count, value: rejected },
    { name: METRICS.eventsCounted, unit: MetricUnit.Count, value: outcome.counted },
    { name: METRICS.failedRecords, unit: MetricUnit.Count, value: outcome.failedRecordIds.length },
    { name: METRICS.batchDuration, unit: MetricUnit.Milliseconds, value: durationMs },
    { name: METRICS.rescores, unit: MetricUnit.Count, value: outcome.rescored },
    { name: METRICS.podMessages, unit: MetricUnit.Count, value: outcome.podMessages.length },
    ...[...dropped].map(([reason, value]) => ({ name: METRICS.eventsDropped, unit: MetricUnit.Count, value, reason })),
  ];
  if (oldestSentAt !== undefined)
    points.push({ name: METRICS.freshness, unit: MetricUnit.Seconds, value: Math.max(0, (now - oldestSentAt) / 1000) });
  return points;
}

/** Adds the datapoints to `metrics` (published by its middleware at the end of the invocation); drops each under its reason. */
export function addDatapoints(metrics: Metrics, points: Datapoint[]) {
  for (const p of points) {
    if (p.reason === undefined) {
      metrics.addMetric(p.name, p.unit, p.value);
      continue;
    }
    const single = metrics.singleMetric();
    single.addDimension('reason', p.reason);
    single.addMetric(p.name, p.unit, p.value);
  }
}

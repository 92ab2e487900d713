import { Metrics } from '@aws-lambda-powertools/metrics';
import type { CollectorStats } from '@intent/events';
import { addDatapoints, batchDatapoints, type RollupOutcome } from '@intent/pipeline';
import { METRICS } from '@intent/resources';
import { describe, expect, it } from 'vitest';

const stats = (dropped: Record<string, number>, rejected: Record<string, number> = {}): CollectorStats => ({
  v: 1,
  kind: 'stats',
  id: 'stats:0123456789',
  siteId: 'site',
  at: '2026-11-30T10:00:00.000Z',
  rejected,
  dropped,
});
const outcome: RollupOutcome = {
  failedRecordIds: ['m1'],
  podMessages: [],
  counted: 180,
  unresolved: 5,
  rescored: 7,
  leftOut: 0,
  failures: [],
  reasonByRecord: new Map([['m1', 'rollup: TimeoutError']]),
};

describe('a rollup batch’s metrics', () => {
  const points = batchDatapoints({
    events: 200,
    stats: [stats({ bot: 3, consent: 1 }, { invalid_event: 2 }), stats({ bot: 4 })],
    outcome,
    durationMs: 850,
    oldestSentAt: Date.parse('2026-11-30T10:00:00.000Z'),
    now: Date.parse('2026-11-30T10:00:02.500Z'),
  });
  const value = (name: string, reason?: string) => points.find((p) => p.name === name && p.reason === reason)?.value;

  it('count what the batch carried and did, drops per reason, and its freshness', () => {
    expect(value(METRICS.eventsAccepted)).toBe(200);
    expect(value(METRICS.eventsCounted)).toBe(180);
    expect(value(METRICS.eventsRejected)).toBe(2);
    expect(value(METRICS.eventsDropped, 'bot')).toBe(7);
    expect(value(METRICS.eventsDropped, 'consent')).toBe(1);
    expect(value(METRICS.failedRecords)).toBe(1);
    expect(value(METRICS.rescores)).toBe(7);
    expect(value(METRICS.batchDuration)).toBe(850);
    expect(value(METRICS.freshness)).toBe(2.5);
  });

  it('become one EMF document under the namespace, with the service dimension; drops go out on their own, by reason', () => {
    const metrics = new Metrics({ namespace: METRICS.namespace, serviceName: 'rollup' });
    addDatapoints(metrics, points);
    const doc = metrics.serializeMetrics() as unknown as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
    };
    const [directive] = doc._aws.CloudWatchMetrics;
    expect(directive?.Namespace).toBe(METRICS.namespace);
    expect(directive?.Dimensions).toEqual([['service']]);
    expect(doc.service).toBe('rollup');
    expect(doc[METRICS.eventsAccepted]).toBe(200);
    expect(doc[METRICS.freshness]).toBe(2.5);
    // Each reason is a metric of its own dimensions (`singleMetric`), not in the batch's document.
    expect(directive?.Metrics.map((m) => m.Name)).not.toContain(METRICS.eventsDropped);
  });
});

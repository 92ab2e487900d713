import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { entriesOf, IngestBody } from '@intent/events';
import {
  addDatapoints,
  batchDatapoints,
  ConfigCache,
  changePublishers,
  ErasedVisitorCache,
  type IngestRecord,
  IpRangeCache,
  podQueueUrls,
  requiredEnv,
  rollUp,
} from '@intent/pipeline';
import { ENV, METRICS } from '@intent/resources';
import { dynamo, Store } from '@intent/store';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

const logger = new Logger({ serviceName: 'rollup' });
const metrics = new Metrics({ namespace: METRICS.namespace, serviceName: 'rollup' });
const store = new Store(dynamo, requiredEnv(ENV.tableName));
// Fails the cold start if missing; read again on each publish (a pod's queue may be added locally).
podQueueUrls();
const configs = new ConfigCache(store);
const { deliverPodMessages, publishAudienceChanges } = changePublishers(store, configs, logger);
/**
 * Failed records whose reason a batch writes down, at most: those nearest their last attempt
 * first (four BatchWriteItem calls). A flood of failures costs a bounded number of writes per
 * batch, and one item per message id at most (rewritten on each attempt, deleted by TTL).
 */
const MAX_FAILURE_REASONS_PER_BATCH = 100;
const ipRanges = new IpRangeCache(store);
const erasedVisitors = new ErasedVisitorCache(store);

/**
 * The ingest queue's consumer. It aggregates the whole batch before writing (one write per
 * account x day), which Powertools' per-record BatchProcessor cannot express; it still
 * answers per record: malformed bodies and records with any event whose writes failed are
 * reported in `batchItemFailures`, retried by SQS, and end in the dead-letter queue after
 * maxReceiveCount attempts, never blocking their neighbours. A record carries a collector
 * request's events; retrying it whole is harmless, as every item ignores events it counted.
 */
export const handler = middy(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const startedAt = Date.now();
  const records: IngestRecord[] = [];
  const malformed: string[] = [];
  for (const record of event.Records) {
    const parsed = safeJson(record.body, IngestBody);
    if (parsed) for (const message of entriesOf(parsed)) records.push({ recordId: record.messageId, message });
    else malformed.push(record.messageId);
  }
  if (malformed.length) logger.warn('malformed ingest messages', { count: malformed.length });
  const [config, ranges, erased] = await Promise.all([configs.get(), ipRanges.get(), erasedVisitors.get()]);
  // rollUp hands its deps to each re-score, which publishes audience changes through them.
  const deps = { store, config, now: new Date(), ipRanges: ranges, erased, publishAudienceChanges };
  const outcome = await rollUp(records, deps);
  await deliverPodMessages(outcome.podMessages);
  const { failedRecordIds, podMessages, failures, reasonByRecord, ...counts } = outcome;
  await recordFailureReasons(event, [
    ...malformed.map((id) => [id, 'malformed ingest message: not an IngestBody'] as const),
    ...failedRecordIds.map((id) => [id, reasonByRecord.get(id) ?? 'the batch failed'] as const),
  ]);
  const sentAt = event.Records.map((r) => Number(r.attributes.SentTimestamp)).filter(Number.isFinite);
  addDatapoints(
    metrics,
    batchDatapoints({
      events: records.filter((r) => !('kind' in r.message)).length,
      stats: records.flatMap((r) => ('kind' in r.message ? [r.message] : [])),
      outcome,
      durationMs: Date.now() - startedAt,
      oldestSentAt: sentAt.length ? Math.min(...sentAt) : undefined,
      now: Date.now(),
    }),
  );
  // Once per batch: which items failed and why (docs/storage.md), not only the DLQ's depth later.
  if (failures.length) logger.error('rollup writes failed', { failedRecords: failedRecordIds.length, failures });
  logger.info('rolled up', {
    records: event.Records.length,
    events: records.length,
    failed: failedRecordIds.length,
    messages: podMessages.length,
    ...counts,
  });
  return { batchItemFailures: [...malformed, ...failedRecordIds].map((itemIdentifier) => ({ itemIdentifier })) };
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));

/**
 * Writes why each failed record failed, for `npm run dlq` (which shows it beside the message
 * once SQS dead-letters it): the records with the most receives first, MAX_FAILURE_REASONS_PER_BATCH
 * at most. Best effort: when the table is what fails, the error log line above still says why.
 */
async function recordFailureReasons(event: SQSEvent, failed: (readonly [string, string])[]): Promise<void> {
  if (!failed.length) return;
  const receives = new Map(event.Records.map((r) => [r.messageId, Number(r.attributes.ApproximateReceiveCount) || 1]));
  const at = new Date().toISOString();
  const chosen = failed
    .map(([messageId, reason]) => ({ messageId, reason, at, receiveCount: receives.get(messageId) ?? 1 }))
    .sort((a, b) => b.receiveCount - a.receiveCount)
    .slice(0, MAX_FAILURE_REASONS_PER_BATCH);
  await store.ingestFailures
    .record(chosen)
    .catch((error: unknown) => logger.warn('failure reasons not recorded', { records: chosen.length, error: error as Error }));
}

function safeJson<T>(body: string, schema: { safeParse(v: unknown): { success: boolean; data?: T } }): T | undefined {
  try {
    const result = schema.safeParse(JSON.parse(body));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

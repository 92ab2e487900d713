import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import {
  ConfigCache,
  changePublishers,
  JobMessage,
  jobSender,
  LEASE_MARGIN_MS,
  optionalEnv,
  podQueueUrls,
  requiredEnv,
  resumeRematerialisation,
  resumeStalledRescore,
  runStep,
  type StepDeps,
  sqs,
  startDecayWalk,
} from '@intent/pipeline';
import { ENV, JOBS_QUEUE } from '@intent/resources';
import { dynamo, Store } from '@intent/store';
import middy from '@middy/core';
import type { Context, ScheduledEvent, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

const logger = new Logger({ serviceName: 'rescore' });
const store = new Store(dynamo, requiredEnv(ENV.tableName));
// Fails the cold start if missing; read again on each publish (a pod's queue may be added locally).
podQueueUrls();
const configs = new ConfigCache(store);
const { deliverPodMessages, publishAudienceChanges } = changePublishers(store, configs, logger);
const deps: StepDeps = {
  store,
  clock: () => new Date(),
  sendJobMessages: jobSender(sqs, requiredEnv(ENV.jobsQueueUrl)),
  publishPodMessages: deliverPodMessages,
  publishAudienceChanges,
};
/** A step's cap below what the remaining time allows (the local runtime and tests set it). */
const budgetCapMs = Number(optionalEnv(ENV.jobBudgetMs) ?? Number.POSITIVE_INFINITY);
if (Number.isNaN(budgetCapMs)) throw new Error(`environment variable ${ENV.jobBudgetMs} must be a number of milliseconds`);

const processor = new BatchProcessor(EventType.SQS);

/**
 * The jobs queue's consumer and the hourly schedule's target. A message is one step of one
 * shard of a job: it works until its budget (the invocation's remaining time less a margin)
 * is spent, then commits and sends the shard's next step; a step that fails is retried by the
 * queue (its record reported failed), and marks its job failed on its last receive. The
 * schedule starts the decay walk (unless the last one is still moving), and restarts an
 * audience re-materialisation that no job is finishing and a configuration re-score that stalled.
 */
export const handler = middy(
  async (event: SQSEvent | ScheduledEvent, context: Context): Promise<SQSBatchResponse | { started: string[] }> => {
    if ('Records' in event) {
      return processPartialResponse(event, (record: SQSRecord) => step(record, context), processor, {
        context,
        throwOnFullBatchFailure: false,
      });
    }
    const decay = await startDecayWalk(deps);
    const resumed = [await resumeRematerialisation(deps), await resumeStalledRescore(deps)].flatMap((j) => (j ? [j.id] : []));
    logger.info('scheduled', { decay: decay.job.id, decayStarted: decay.started, resumed });
    return { started: [...(decay.started ? [decay.job.id] : []), ...resumed] };
  },
).use(injectLambdaContext(logger));

async function step(record: SQSRecord, context: Context): Promise<void> {
  const message = JobMessage.parse(JSON.parse(record.body));
  // Time is kept back from the timeout to finish the accounts begun, commit and send the next step.
  const budget = Math.min(budgetCapMs, context.getRemainingTimeInMillis() - LEASE_MARGIN_MS);
  try {
    const outcome = await runStep(deps, message, Date.now() + Math.max(0, budget));
    logger.info('job step', { job: message.job, shard: message.shard, step: message.step, outcome });
  } catch (err) {
    // On its last receive the step goes to the DLQ next: the job will not finish, so say so.
    if (Number(record.attributes.ApproximateReceiveCount) >= (JOBS_QUEUE.maxReceiveCount ?? 1)) {
      await store.jobs.fail(message.job, `shard ${message.shard} step ${message.step}: ${(err as Error).message}`, new Date());
    }
    logger.error('job step failed', { job: message.job, shard: message.shard, step: message.step, error: err as Error });
    throw err;
  }
}

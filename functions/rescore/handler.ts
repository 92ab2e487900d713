import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import {
  audiencePublisher,
  ConfigCache,
  finishRematerialisation,
  publishPodMessages,
  requiredEnv,
  rescoreStale,
  sqs,
} from '@intent/pipeline';
import { ENV } from '@intent/resources';
import { dynamo, Store } from '@intent/store';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

const logger = new Logger({ serviceName: 'rescore' });
const store = new Store(dynamo, requiredEnv(ENV.tableName));
const podQueueUrls = JSON.parse(requiredEnv(ENV.podQueueUrls)) as Record<string, string>;
const publishAudienceChanges = audiencePublisher(sqs, requiredEnv(ENV.audienceQueueUrl), logger);
const configs = new ConfigCache(store);

/** Time kept back from the function's timeout to finish the accounts begun and log them. */
const FINISH_MARGIN_MS = 30_000;

/**
 * The schedule's target: applies decay and stage changes to scored accounts, saving only what
 * changed; then finishes an audience re-materialisation that a definition change left
 * incomplete (its request ran out of time), if there is one.
 */
export const handler = middy(async (_event: unknown, context: Context): Promise<{ scanned: number; saved: number }> => {
  const config = await configs.get();
  const outcome = await rescoreStale({ store, config, now: new Date(), publishAudienceChanges });
  await publishPodMessages(sqs, podQueueUrls, outcome.podMessages, logger);
  logger.info('rescored', {
    scanned: outcome.scanned,
    saved: outcome.saved,
    failed: outcome.failed,
    messages: outcome.podMessages.length,
  });
  const finished = await finishRematerialisation({
    store,
    config: await store.config.getAll(true),
    now: new Date(),
    clock: () => new Date(),
    deadline: Date.now() + context.getRemainingTimeInMillis() - FINISH_MARGIN_MS,
    publishAudienceChanges,
  });
  if (finished) logger.info('audiences re-materialised', { ...finished });
  return { scanned: outcome.scanned, saved: outcome.saved };
}).use(injectLambdaContext(logger));

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { ConfigCache, audiencePublisher, publishPodMessages, requiredEnv, rescoreStale, sqs } from '@intent/pipeline';
import { ENV } from '@intent/resources';
import { Store, dynamo } from '@intent/store';
import middy from '@middy/core';

const logger = new Logger({ serviceName: 'rescore' });
const store = new Store(dynamo, requiredEnv(ENV.tableName));
const podQueueUrls = JSON.parse(requiredEnv(ENV.podQueueUrls)) as Record<string, string>;
const publishAudienceChanges = audiencePublisher(sqs, requiredEnv(ENV.audienceQueueUrl), logger);
const configs = new ConfigCache(store);

/** The schedule's target: applies decay and stage changes to scored accounts, saving only what changed. */
export const handler = middy(async (): Promise<{ scanned: number; saved: number }> => {
  const config = await configs.get();
  const outcome = await rescoreStale({ store, config, now: new Date(), publishAudienceChanges });
  await publishPodMessages(sqs, podQueueUrls, outcome.podMessages, logger);
  logger.info('rescored', { scanned: outcome.scanned, saved: outcome.saved, failed: outcome.failed, messages: outcome.podMessages.length });
  return { scanned: outcome.scanned, saved: outcome.saved };
}).use(injectLambdaContext(logger));

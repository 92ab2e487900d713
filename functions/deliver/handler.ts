import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import {
  ConfigCache,
  DeliveryMessage,
  deliverStream,
  deliverySender,
  destinationTransport,
  loadHashSecret,
  readSecretValue,
  requiredEnv,
  SecretBox,
  sqs,
} from '@intent/pipeline';
import { ENV } from '@intent/resources';
import { dynamo, Store } from '@intent/store';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

const logger = new Logger({ serviceName: 'deliver' });
const store = new Store(dynamo, requiredEnv(ENV.tableName));
const send = deliverySender(sqs, requiredEnv(ENV.deliveriesQueueUrl));
const configs = new ConfigCache(store);
/** The key of the destinations' sealed secrets, derived once per cold start from the hash secret. */
let box: Promise<SecretBox> | undefined;
const secretBox = () => {
  box ??= loadHashSecret().then((secret) => new SecretBox(secret));
  box.catch(() => {
    box = undefined;
  });
  return box;
};
const transport = destinationTransport(secretBox, readSecretValue);
/** Time kept back from the timeout: a stream in progress stops sending and continues in a new message. */
const STOP_BEFORE_TIMEOUT_MS = 15_000;

const processor = new BatchProcessor(EventType.SQS);

/**
 * The deliveries queue's consumer: each message names one destination and one account, whose
 * pending events are delivered in order (`deliverStream`). A message that fails (the table or
 * the queue unreachable) is reported and retried by the queue, then dead-lettered; a receiver's
 * failure is no failure here: it is scheduled for retry in the table.
 */
export const handler = middy(
  async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, (record: SQSRecord) => deliver(record, context), processor, {
      context,
      throwOnFullBatchFailure: false,
    }),
).use(injectLambdaContext(logger));

async function deliver(record: SQSRecord, context: Context): Promise<void> {
  const message = DeliveryMessage.parse(JSON.parse(record.body));
  const { destinations } = await configs.get();
  const deadline = Date.now() + context.getRemainingTimeInMillis() - STOP_BEFORE_TIMEOUT_MS;
  const outcome = await deliverStream({ store, destinations, transport, send, clock: Date.now, deadline }, message);
  logger.info('delivery stream', { destination: message.d, domain: message.a, ...outcome });
}

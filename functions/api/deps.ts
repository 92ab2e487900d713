import { Logger } from '@aws-lambda-powertools/logger';
import { authenticate, type HttpRequest, type Principal } from '@intent/http';
import {
  audiencePublisher,
  ConfigCache,
  type JobDeps,
  jobSender,
  loadHashSecret,
  MAX_PAGE_BYTES,
  optionalEnv,
  podMessageOutbox,
  podQueueUrls,
  publishPodMessages,
  requiredEnv,
  sqs,
} from '@intent/pipeline';
import { ENV } from '@intent/resources';
import { dynamo, Store } from '@intent/store';

/** What every API route shares, built once per cold start. */
export const logger = new Logger({ serviceName: 'api' });
export const store = new Store(dynamo, requiredEnv(ENV.tableName));
export const configs = new ConfigCache(store);
// Fails the cold start if missing; each publish reads it again (a pod's queue may be added locally).
podQueueUrls();
/** Sends the pod messages a route's re-scores saved, taking them off their accounts' outboxes once SQS accepted them. */
export const deliverPodMessages = podMessageOutbox(store, (m) => publishPodMessages(sqs, podQueueUrls(), m, logger), logger);
export const publishAudienceChanges = audiencePublisher(sqs, requiredEnv(ENV.audienceQueueUrl), logger);
/** Where the routes that start jobs (configuration changes) store them and send their first steps. */
export const jobDeps: JobDeps = {
  store,
  clock: () => new Date(),
  sendJobMessages: jobSender(sqs, requiredEnv(ENV.jobsQueueUrl)),
};
/** The byte budget of one page of a long answer (members, deltas, exports). */
export const pageMaxBytes = Number(optionalEnv(ENV.pageMaxBytes) ?? MAX_PAGE_BYTES);
if (!(pageMaxBytes > 0)) throw new Error(`environment variable ${ENV.pageMaxBytes} must be a positive number of bytes`);
const bootstrapAdminSha256 = optionalEnv(ENV.adminKeySha256);

export function principalOf(req: HttpRequest): Promise<Principal> {
  return authenticate(req, store.apiKeys, bootstrapAdminSha256);
}

let secret: Promise<string> | undefined;
/** The hashing secret, read on first use only (erasure needs it; no other route does), then kept. */
export function hashSecret(): Promise<string> {
  secret ??= loadHashSecret().catch((err) => {
    secret = undefined;
    throw err;
  });
  return secret;
}

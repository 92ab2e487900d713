import { Logger } from '@aws-lambda-powertools/logger';
import { authenticate, type HttpRequest, type Principal } from '@intent/http';
import {
  ConfigCache,
  changePublishers,
  deliverySender,
  type JobDeps,
  jobSender,
  loadBootstrapAdminSha256,
  loadHashSecret,
  MAX_PAGE_BYTES,
  optionalEnv,
  podQueueUrls,
  requiredEnv,
  sqs,
} from '@intent/pipeline';
import { ENV } from '@intent/resources';
import { dynamo, Store } from '@intent/store';
import { PageTokens } from './page-tokens';

/** What every API route shares, built once per cold start. */
export const logger = new Logger({ serviceName: 'api' });
export const store = new Store(dynamo, requiredEnv(ENV.tableName));
export const configs = new ConfigCache(store);
// Fails the cold start if missing; each publish reads it again (a pod's queue may be added locally).
podQueueUrls();
/** Sends to the deliveries queue: destinations' new changes, and the streams a replay re-opens. */
export const sendDeliveries = deliverySender(sqs, requiredEnv(ENV.deliveriesQueueUrl));
/** How routes' changes go out: pod messages their re-scores saved, audience changes. */
export const { deliverPodMessages, publishAudienceChanges } = changePublishers(store, configs, logger);
/** Where the routes that start jobs (configuration changes) store them and send their first steps. */
export const jobDeps: JobDeps = {
  store,
  clock: () => new Date(),
  sendJobMessages: jobSender(sqs, requiredEnv(ENV.jobsQueueUrl)),
};
/** The byte budget of one page of a long answer (members, deltas, exports). */
export const pageMaxBytes = Number(optionalEnv(ENV.pageMaxBytes) ?? MAX_PAGE_BYTES);
if (!(pageMaxBytes > 0)) throw new Error(`environment variable ${ENV.pageMaxBytes} must be a positive number of bytes`);
/** The bootstrap admin key's hash, read on the first authenticated request (`loadBootstrapAdminSha256`), then kept. */
const bootstrapAdminSha256 = lazily(loadBootstrapAdminSha256);

export async function principalOf(req: HttpRequest): Promise<Principal> {
  return authenticate(req, store.apiKeys, await bootstrapAdminSha256());
}

/** The hashing secret, read on first use only (erasure needs it; no other route does), then kept. */
export const hashSecret = lazily(loadHashSecret);

/** Signs and checks cursors and page tokens with this deployment's hash secret. */
export const pageTokens = async () => new PageTokens(await hashSecret());

/** `load`'s answer, asked for once and kept; asked again after a failure. */
function lazily<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load().catch((err) => {
      value = undefined;
      throw err;
    });
    return value;
  };
}

import type { PodsConfig } from '@intent/config';
import { ENV } from '@intent/resources';
import { z } from 'zod';
import { requiredEnv } from './env';

/** `POD_QUEUE_URLS`: pod id -> URL of that pod's SQS queue, for the pods that have one. */
const PodQueueUrls = z.record(z.string(), z.string().url());
export type PodQueueUrls = z.infer<typeof PodQueueUrls>;

let cached: { raw: string; urls: PodQueueUrls } | undefined;

/**
 * The pod queues that exist, from `POD_QUEUE_URLS`. Read on every call, not once per cold start:
 * the local runtime creates a pod's queue when the pods configuration gains one and updates the
 * variable in place, so a consumer publishes to it without a restart (in AWS the variable only
 * changes with a deploy). The parse is kept while the variable is unchanged. A missing or
 * malformed variable throws a sentence naming it; call it at module scope to fail the cold start.
 */
export function podQueueUrls(): PodQueueUrls {
  const raw = requiredEnv(ENV.podQueueUrls);
  if (cached?.raw !== raw) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    const result = PodQueueUrls.safeParse(parsed);
    if (!result.success) throw new Error(`environment variable ${ENV.podQueueUrls} must be a JSON object of pod id -> queue URL`);
    cached = { raw, urls: result.data };
  }
  return cached.urls;
}

/**
 * The configured pods that have no SQS queue in this deployment: in AWS one queue exists per pod
 * named at deploy time (the `pods` CDK context), so these need a deploy before integrations get
 * their messages (the pull API serves them meanwhile).
 */
export function podsNeedingDeploy(pods: PodsConfig, urls: PodQueueUrls): string[] {
  return pods.pods.map((p) => p.id).filter((id) => !urls[id]);
}

/**
 * One source of truth for what the pipeline is made of: the table, the queues, the functions
 * and the HTTP routes. The CDK stack (`infra/`) and the local runtime (`packages/local`) both
 * build from these lists, so the two cannot drift apart. Plain data only: nothing here
 * imports the AWS SDK or aws-cdk-lib.
 */

export interface TableDefinition {
  /** Logical id in the stack; also the local table name. */
  id: string;
  partitionKey: string;
  sortKey: string;
  /** Attribute DynamoDB deletes items by (TTL); dynalite ignores it, so readers also check it. */
  ttlAttribute: string;
  /**
   * Both indexes hold keys only: an update that moves no index key then writes no index entry,
   * where an index of whole items would write the item's full size again on every score save.
   * Readers of an index read the items they need from the table.
   */
  globalIndexes: { name: string; partitionKey: string; sortKey: string }[];
  /**
   * Provisioned capacity with auto scaling (the stack's default; `-c tableCapacity=onDemand`
   * switches to on-demand): DynamoDB bills a provisioned unit-hour at about 40% of what the
   * same units cost on demand at the target utilisation, and the ingest queue in front absorbs
   * what a burst asks beyond the capacity while auto scaling follows (docs/cost.md). Minimums
   * and maximums apply to the table and to each index.
   */
  capacity: {
    targetUtilizationPercent: number;
    table: { read: CapacityRange; write: CapacityRange };
    index: { read: CapacityRange; write: CapacityRange };
  };
}

/** Auto scaling's bounds of one capacity, in units per second. */
export interface CapacityRange {
  min: number;
  max: number;
}

/** The table's indexes by what they hold: accounts in pod queues, and scored accounts (below). */
export const POD_QUEUE_INDEX = 'gsi1';
export const SCORED_INDEX = 'gsi2';
/** The name of one of the table's indexes. */
export type IndexName = typeof POD_QUEUE_INDEX | typeof SCORED_INDEX;

export const TABLE: TableDefinition = {
  id: 'IntentTable',
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  globalIndexes: [
    // Sparse index: an account has gsi1 keys only while it sits in a pod queue, ordered by priority.
    { name: POD_QUEUE_INDEX, partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    // Sparse index of accounts with live intent (not cold) or in a queue, in a few shards:
    // what the decay schedule walks instead of scanning the table.
    { name: SCORED_INDEX, partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
  capacity: {
    targetUtilizationPercent: 70,
    // About 0.55 write and 0.47 read units an event on the demo's mix: the maximums hold a
    // sustained ~5,000 events/s; deployments beyond raise them (or go on-demand).
    table: { read: { min: 5, max: 4_000 }, write: { min: 5, max: 4_000 } },
    index: { read: { min: 1, max: 1_000 }, write: { min: 1, max: 1_000 } },
  },
};

export interface QueueDefinition {
  /** Logical id in the stack and the local queue name. */
  id: string;
  visibilityTimeoutSeconds: number;
  /** Redrive to `${id}-dlq` after this many receives; undefined: no DLQ (an outbound queue). */
  maxReceiveCount?: number;
  /** What the queue is for, for the README and the stack's descriptions. */
  purpose: string;
}

export const INGEST_QUEUE: QueueDefinition = {
  id: 'ingest',
  // At least 6 x the consumer's timeout plus its batching window (AWS guidance for Lambda
  // event sources), so a throttled batch is retried before its messages reappear.
  visibilityTimeoutSeconds: 361,
  maxReceiveCount: 5,
  purpose: 'accepted events, from the collector to the rollup consumer',
};

/** The outbound queue of one SDR pod: `account.qualified|updated|dequalified` for integrations. */
export function podQueue(podId: string): QueueDefinition {
  return {
    id: podQueueName(podId),
    visibilityTimeoutSeconds: 30,
    purpose: `account changes for the SDR pod "${podId}"`,
  };
}

export const POD_QUEUE_PREFIX = 'pod-';
export function podQueueName(podId: string): string {
  return `${POD_QUEUE_PREFIX}${podId}`;
}

/**
 * The outbound queue of audience changes for connectors (ad platforms, CRM lists):
 * `audience.member_added|member_removed`. No DLQ: nothing in the stack consumes it.
 */
export const AUDIENCE_QUEUE: QueueDefinition = {
  id: 'audiences',
  visibilityTimeoutSeconds: 30,
  purpose: 'audience membership changes for connectors',
};

/**
 * Steps of resumable jobs (the decay walk, a re-score after a configuration change, audience
 * re-materialisation), consumed by the rescore function: a message names the job, the shard
 * and where the step starts. A step that keeps failing goes to the DLQ after 5 receives.
 */
export const JOBS_QUEUE: QueueDefinition = {
  id: 'jobs',
  // Raised to six times the consumer's timeout by the stack (AWS guidance for event sources).
  visibilityTimeoutSeconds: 1800,
  maxReceiveCount: 5,
  purpose: 'steps of resumable walks over many accounts, to the rescore function',
};

/**
 * Deliveries to configured destinations (webhooks, Slack, HubSpot), consumed by the deliver
 * function: a message names one destination and one account, whose events are delivered in
 * order from the table. Retries are scheduled in the table and re-sent here with a delay (SQS
 * delays at most 15 minutes), so a receiver may be down for a day. A message whose handling
 * keeps failing (the table unreachable) goes to the DLQ after 5 receives.
 */
export const DELIVERIES_QUEUE: QueueDefinition = {
  id: 'deliveries',
  // Raised to six times the consumer's timeout by the stack (AWS guidance for event sources).
  visibilityTimeoutSeconds: 360,
  maxReceiveCount: 5,
  purpose: 'deliveries to configured destinations (webhooks, Slack, HubSpot), to the deliver function',
};

export function deadLetterQueueName(queueId: string): string {
  return `${queueId}-dlq`;
}

/** Environment variables the functions read at cold start; the stack and the local runtime set them. */
export const ENV = {
  tableName: 'TABLE_NAME',
  ingestQueueUrl: 'INGEST_QUEUE_URL',
  /** JSON object podId -> queue URL of the pod queues that exist in this deployment. */
  podQueueUrls: 'POD_QUEUE_URLS',
  /** URL of the audience-changes queue (`AUDIENCE_QUEUE`). */
  audienceQueueUrl: 'AUDIENCE_QUEUE_URL',
  /** URL of the jobs queue (`JOBS_QUEUE`). */
  jobsQueueUrl: 'JOBS_QUEUE_URL',
  /**
   * Optional: the most milliseconds one job step may start accounts for, below what the
   * function's remaining time allows (the local runtime keeps steps short; tests force
   * continuations with a tiny one). Unset in AWS.
   */
  jobBudgetMs: 'JOB_BUDGET_MS',
  /** URL of the deliveries queue (`DELIVERIES_QUEUE`). */
  deliveriesQueueUrl: 'DELIVERIES_QUEUE_URL',
  /**
   * Optional: 'true' lets destinations send to private, loopback and link-local addresses (the
   * local stack sets it, for receivers on this machine). Unset in AWS: public addresses only.
   */
  allowPrivateDestinations: 'ALLOW_PRIVATE_DESTINATIONS',
  /** Optional: the byte budget of one page of a long answer (tests force paging with a small one). */
  pageMaxBytes: 'PAGE_MAX_BYTES',
  /** Secret mixed into hashes of emails, user ids and IPs (per deployment): the value, locally. */
  hashSecret: 'HASH_SECRET',
  /** In AWS: the Secrets Manager ARN the value is read from at cold start. */
  hashSecretArn: 'HASH_SECRET_ARN',
  /** SHA-256 (hex) of the bootstrap admin key, locally; the key itself is never in the environment. */
  adminKeySha256: 'ADMIN_KEY_SHA256',
  /** In AWS: the Secrets Manager ARN of the bootstrap admin key the stack generated, read at cold start. */
  adminKeySecretArn: 'ADMIN_KEY_SECRET_ARN',
  /**
   * Optional, the collector's: the most of its instances that can run at once (its reserved
   * concurrency), which lets each count a share of an address's rate window on its own
   * (`admit`). Unset (no reserved concurrency, the HTTP API front door): every address request
   * is counted in the shared window.
   */
  collectorInstances: 'COLLECTOR_INSTANCES',
} as const;

/**
 * The collector's reserved concurrency behind its function URL: its throttle. At the ~20 ms a
 * request takes, 50 at once serve about 2,500 requests a second; beyond that Lambda answers
 * 429 and the snippet backs off and retries. The local stack runs one collector and tells it
 * the same number, so its address limits answer as one instance of a deployed stack's would.
 */
export const DEFAULT_COLLECTOR_CONCURRENCY = 50;

/**
 * The custom metrics the rollup consumer publishes once per batch (Powertools Metrics, in
 * CloudWatch's embedded metric format, dimension `service`: the function's name), and that the
 * stack's alarms and dashboard read. Per batch, not per request: a metric line per beacon would
 * cost more in log ingestion than the rest of the pipeline.
 */
export const METRICS = {
  namespace: 'IntentPipeline',
  /** Events that reached the consumer (accepted by the collector): per batch, so its average is the batch size. */
  eventsAccepted: 'EventsAccepted',
  /** Events the collector refused, from its requests' stats. */
  eventsRejected: 'EventsRejected',
  /** Events the collector dropped (bots, no consent, unmapped names...), dimension `reason`. */
  eventsDropped: 'EventsDropped',
  /** Events counted into an account's rollups for the first time. */
  eventsCounted: 'EventsCounted',
  /** Records of a batch that failed and go back to the queue. */
  failedRecords: 'FailedRecords',
  batchDuration: 'BatchDuration',
  /** Accounts whose score a batch saved. */
  rescores: 'Rescores',
  podMessages: 'PodMessages',
  /** Seconds from the collector's acceptance of a batch's oldest event to the end of its batch. */
  freshness: 'FreshnessSeconds',
} as const;

/** The partition key of the configuration items (what `configKey` in packages/store writes). */
export const CONFIG_PARTITION_KEY = 'CONFIG';
/**
 * The name every Secrets Manager secret a destination refers to starts with: the deliver
 * function may read those secrets and no others.
 */
export const DESTINATION_SECRET_NAME_PREFIX = 'intent/destinations/';
/** The start of every destination's partition key (`DEST#<id>`): its delivery streams and events. */
export const DESTINATION_PARTITION_PREFIX = 'DEST#';
/** The start of every rate-limit window counter's partition key (`RATE#<bucket>`). */
export const RATE_PARTITION_PREFIX = 'RATE#';

export type FunctionName = 'collector' | 'api' | 'rollup' | 'rescore' | 'deliver';

export interface FunctionDefinition {
  name: FunctionName;
  /** Path of the handler module from the repository root: the one import path each runtime uses. */
  entry: string;
  description: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** What the function needs; the stack grants exactly this, the local runtime sets the variables. */
  table: 'read' | 'readWrite' | 'none';
  /**
   * The only partition keys it may read, and update (IAM `dynamodb:LeadingKeys` conditions; no
   * Scan, no Put or Delete); undefined: any. The public collector reads configuration and counts
   * its rate windows alone, so a flaw in it cannot read or change accounts, identities or API keys.
   */
  tableLeadingKeys?: { read: string[]; update?: string[] };
  sendsToIngest: boolean;
  sendsToPods: boolean;
  /** Re-scores accounts, so it publishes audience membership changes. */
  sendsToAudiences: boolean;
  /** Starts or continues resumable jobs, so it sends to the jobs queue. */
  sendsToJobs: boolean;
  /** Records changes for destinations (or schedules their retries), so it sends to the deliveries queue. */
  sendsToDeliveries: boolean;
  /** Hashes identities, so it reads the per-deployment hash secret. */
  readsHashSecret: boolean;
  /** Checks API keys, so it gets the hash of the bootstrap admin key. */
  checksAdminKey: boolean;
  /** Reads destination secrets kept in Secrets Manager (`DESTINATION_SECRET_NAME_PREFIX`). */
  readsDestinationSecrets?: boolean;
  /**
   * SQS event source, if any. `maxConcurrency` caps the batches in flight at once (the event
   * source mapping's scaling limit; the local poller runs that many).
   */
  consumes?: { queue: QueueDefinition; batchSize: number; maxBatchingWindowSeconds: number; maxConcurrency: number };
  /** Schedule, if any, in minutes. */
  everyMinutes?: number;
}

export const FUNCTIONS: FunctionDefinition[] = [
  {
    name: 'collector',
    entry: 'functions/collector/handler.ts',
    description: 'Public collector: validates, enriches and enqueues events',
    timeoutSeconds: 10,
    memoryMb: 512,
    table: 'read',
    // Reads configuration items (`configKey` in packages/store/src/keys.ts); updates only the
    // rate limiter's short-lived window counters (`rateWindowKey`).
    tableLeadingKeys: { read: [CONFIG_PARTITION_KEY], update: [`${RATE_PARTITION_PREFIX}*`] },
    sendsToIngest: true,
    sendsToPods: false,
    sendsToAudiences: false,
    sendsToJobs: false,
    sendsToDeliveries: false,
    readsHashSecret: true,
    checksAdminKey: false,
  },
  {
    name: 'api',
    entry: 'functions/api/handler.ts',
    description: 'Authenticated API: keys, configuration, accounts, pod queues, visitor erasure',
    timeoutSeconds: 29,
    memoryMb: 512,
    table: 'readWrite',
    sendsToIngest: false,
    sendsToPods: true,
    sendsToAudiences: true,
    sendsToJobs: true,
    sendsToDeliveries: true,
    readsHashSecret: true,
    checksAdminKey: true,
  },
  {
    name: 'rollup',
    entry: 'functions/rollup/handler.ts',
    description: 'Resolves events to accounts, rolls up intent and re-scores touched accounts',
    timeoutSeconds: 60,
    memoryMb: 1024,
    table: 'readWrite',
    sendsToIngest: false,
    sendsToPods: true,
    sendsToAudiences: true,
    sendsToJobs: false,
    sendsToDeliveries: true,
    readsHashSecret: false,
    checksAdminKey: false,
    // A 1 s window: an event's account shows its new score within seconds (the hot-day bench's
    // freshness), while a busy site's batches still gather a second's worth of events each.
    consumes: { queue: INGEST_QUEUE, batchSize: 1000, maxBatchingWindowSeconds: 1, maxConcurrency: 4 },
  },
  {
    name: 'rescore',
    entry: 'functions/rescore/handler.ts',
    description: 'Runs resumable walks (hourly decay, re-scores, audience re-materialisation) step by step',
    timeoutSeconds: 300,
    memoryMb: 1024,
    table: 'readWrite',
    sendsToIngest: false,
    sendsToPods: true,
    sendsToAudiences: true,
    sendsToJobs: true,
    sendsToDeliveries: true,
    readsHashSecret: false,
    checksAdminKey: false,
    // One step per invocation, each with the whole timeout; a few shards walked at once.
    consumes: { queue: JOBS_QUEUE, batchSize: 1, maxBatchingWindowSeconds: 0, maxConcurrency: 4 },
    everyMinutes: 60,
  },
  {
    name: 'deliver',
    entry: 'functions/deliver/handler.ts',
    description: 'Delivers recorded changes to destinations in order per account, scheduling retries',
    timeoutSeconds: 60,
    memoryMb: 512,
    table: 'read',
    // Reads configuration and its destinations' streams; updates only those streams and their
    // events (records are written by the functions that make the changes).
    tableLeadingKeys: {
      read: [CONFIG_PARTITION_KEY, `${DESTINATION_PARTITION_PREFIX}*`],
      update: [`${DESTINATION_PARTITION_PREFIX}*`],
    },
    sendsToIngest: false,
    sendsToPods: false,
    sendsToAudiences: false,
    sendsToJobs: false,
    // Re-sends a stream's message with a delay: the next hop of a retry's wait, or the rest of a long stream.
    sendsToDeliveries: true,
    // Opens the destinations' sealed secrets, whose key derives from the hash secret.
    readsHashSecret: true,
    checksAdminKey: false,
    readsDestinationSecrets: true,
    // Streams of one batch are delivered concurrently; each account's stream is leased, so its order holds.
    consumes: { queue: DELIVERIES_QUEUE, batchSize: 10, maxBatchingWindowSeconds: 0, maxConcurrency: 4 },
  },
];

export interface RouteDefinition {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS';
  /** API Gateway v2 route path, with `{param}` placeholders. */
  path: string;
  function: FunctionName;
}

const collector = (method: RouteDefinition['method'], path: string): RouteDefinition => ({
  method,
  path,
  function: 'collector',
});
const api = (method: RouteDefinition['method'], path: string): RouteDefinition => ({
  method,
  path,
  function: 'api',
});

/** Every route of the HTTP API and the function that serves it. */
export const ROUTES: RouteDefinition[] = [
  collector('POST', '/v1/collect'),
  collector('OPTIONS', '/v1/collect'),
  collector('GET', '/v1/tracker.js'),
  collector('POST', '/v1/batch'),
  collector('POST', '/v1/track'),
  collector('POST', '/v1/page'),
  collector('POST', '/v1/identify'),
  collector('POST', '/v1/group'),
  api('GET', '/v1/health'),
  api('POST', '/v1/keys'),
  api('GET', '/v1/keys'),
  api('DELETE', '/v1/keys/{id}'),
  api('GET', '/v1/config/{section}'),
  api('PUT', '/v1/config/{section}'),
  api('GET', '/v1/config/{section}/revisions'),
  api('GET', '/v1/config/{section}/revisions/{n}'),
  api('POST', '/v1/config/{section}/revisions/{n}/restore'),
  api('POST', '/v1/config/{section}/preview'),
  api('PUT', '/v1/accounts'),
  api('GET', '/v1/accounts/{domain}'),
  api('POST', '/v1/accounts/{domain}/feedback'),
  api('GET', '/v1/pods/{podId}/queue'),
  api('POST', '/v1/pods/{podId}/queue/{domain}/claim'),
  api('DELETE', '/v1/pods/{podId}/queue/{domain}/claim'),
  api('PUT', '/v1/ip-ranges'),
  api('GET', '/v1/ip-ranges'),
  api('GET', '/v1/ingestion/stats'),
  api('GET', '/v1/topics/trends'),
  api('GET', '/v1/metrics/alignment'),
  api('GET', '/v1/icp/suggestion'),
  api('GET', '/v1/calibration'),
  api('DELETE', '/v1/visitors/{anonymousId}'),
  api('GET', '/v1/audiences'),
  api('GET', '/v1/audiences/{id}/members'),
  api('GET', '/v1/audiences/{id}/export.csv'),
  api('GET', '/v1/jobs'),
  api('GET', '/v1/jobs/{id}'),
  api('GET', '/v1/destinations/{id}/deliveries'),
  api('POST', '/v1/destinations/{id}/replay'),
];

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AUDIENCE_QUEUE,
  DEFAULT_COLLECTOR_CONCURRENCY,
  DELIVERIES_QUEUE,
  DESTINATION_SECRET_NAME_PREFIX,
  ENV,
  FUNCTIONS,
  type FunctionName,
  INGEST_QUEUE,
  JOBS_QUEUE,
  podQueue,
  type QueueDefinition,
  ROUTES,
  TABLE,
} from '@intent/resources';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { PipelineFunction } from './constructs/pipeline-function';
import { PipelineHttpApi } from './constructs/pipeline-http-api';
import { PipelineMonitoring } from './constructs/pipeline-monitoring';
import { MAX_RETENTION, PipelineQueue } from './constructs/pipeline-queue';
import { createAdminKeySecret, createHashSecret } from './constructs/pipeline-secrets';
import { createPipelineTable, type TableCapacity } from './constructs/pipeline-table';
import {
  alarmEmailFromContext,
  type CollectorFrontDoor,
  collectorConcurrencyFromContext,
  collectorFrontDoorFromContext,
  podsFromContext,
  tableCapacityFromContext,
  validatePods,
} from './context';

/** The repository root: every `FunctionDefinition.entry` is relative to it. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Default stage throttling: generous for several media sites' beacons, far under the account limit. */
export const DEFAULT_THROTTLE = { rateLimit: 500, burstLimit: 1000 };

export interface IntentPipelineStackProps extends StackProps {
  /** SDR pods that get an outbound queue. Default: context `pods`, else `["default"]`. */
  pods?: string[];
  /** X-Ray active tracing on every function. Default: off. */
  tracing?: boolean;
  /** Default stage throttling of the HTTP API. */
  throttle?: { rateLimit: number; burstLimit: number };
  /** Who gets the alarms by email. Default: context `alarmEmail`, else nobody (subscribe to the topic). */
  alarmEmail?: string;
  /** What serves the collector's routes. Default: context `collectorFrontDoor`, else its function URL. */
  collectorFrontDoor?: CollectorFrontDoor;
  /** The collector's reserved concurrency when its function URL is the front door. Default: context `collectorConcurrency`, else 50. */
  collectorConcurrency?: number;
  /** How the table pays for capacity. Default: context `tableCapacity`, else provisioned with auto scaling. */
  tableCapacity?: TableCapacity;
}

/**
 * The whole pipeline in one stack, built from `@intent/resources`: the table, the ingest, jobs
 * and deliveries queues and their DLQs, one outbound queue per pod, the functions with exactly
 * the access their definitions ask for, the rollup, jobs and deliveries consumers, the rescore
 * schedule, the HTTP API, and the alarms, their topic and a dashboard.
 */
export class IntentPipelineStack extends Stack {
  readonly table: dynamodb.Table;
  readonly ingest: PipelineQueue;
  /** Steps of resumable walks, consumed by the rescore function. */
  readonly jobs: PipelineQueue;
  /** Deliveries to destinations, consumed by the deliver function. */
  readonly deliveries: PipelineQueue;
  readonly podQueues: ReadonlyMap<string, PipelineQueue>;
  readonly audienceQueue: PipelineQueue;
  readonly functions: ReadonlyMap<FunctionName, PipelineFunction>;
  readonly httpApi: PipelineHttpApi;
  /** What serves the collector's routes, and its function URL when that is it. */
  readonly collectorFrontDoor: CollectorFrontDoor;
  readonly collectorUrl?: lambda.FunctionUrl;
  readonly monitoring: PipelineMonitoring;

  constructor(scope: Construct, id: string, props: IntentPipelineStackProps = {}) {
    super(scope, id, props);
    const pods = props.pods ? validatePods(props.pods) : podsFromContext(this.node);
    this.collectorFrontDoor = props.collectorFrontDoor ?? collectorFrontDoorFromContext(this.node);
    const collectorOnUrl = this.collectorFrontDoor === 'functionUrl';

    this.table = createPipelineTable(this, TABLE, props.tableCapacity ?? tableCapacityFromContext(this.node));
    this.ingest = new PipelineQueue(this, 'Ingest', {
      definition: INGEST_QUEUE,
      minVisibilityTimeoutSeconds: consumerVisibilityFloor(INGEST_QUEUE),
      retainDeadLetters: true,
    });
    this.jobs = new PipelineQueue(this, 'Jobs', {
      definition: JOBS_QUEUE,
      minVisibilityTimeoutSeconds: consumerVisibilityFloor(JOBS_QUEUE),
    });
    this.deliveries = new PipelineQueue(this, 'Deliveries', {
      definition: DELIVERIES_QUEUE,
      minVisibilityTimeoutSeconds: consumerVisibilityFloor(DELIVERIES_QUEUE),
    });
    const podQueues = new Map<string, PipelineQueue>();
    for (const pod of pods) {
      // Integrations (CRM, chat) may be down for days; keep their messages as long as SQS can.
      podQueues.set(pod, new PipelineQueue(this, `Pod-${pod}`, { definition: podQueue(pod), retention: MAX_RETENTION }));
    }
    this.podQueues = podQueues;
    // Connectors (ad platforms) may sync rarely; keep audience changes as long as SQS can.
    this.audienceQueue = new PipelineQueue(this, 'Audiences', { definition: AUDIENCE_QUEUE, retention: MAX_RETENTION });
    const podQueueByPod = new Map<string, sqs.Queue>([...podQueues].map(([pod, q]) => [pod, q.queue]));
    const consumable = new Map<string, sqs.Queue>([
      [INGEST_QUEUE.id, this.ingest.queue],
      [JOBS_QUEUE.id, this.jobs.queue],
      [DELIVERIES_QUEUE.id, this.deliveries.queue],
    ]);

    const hashSecret = createHashSecret(this, 'HashSecret');
    const adminKey = createAdminKeySecret(this, 'AdminKey');
    new CfnOutput(this, 'AdminKeySecretArn', {
      value: adminKey.secretArn,
      description:
        'The bootstrap admin API key: aws secretsmanager get-secret-value --secret-id <this> --query SecretString --output text',
    });

    const functions = new Map<FunctionName, PipelineFunction>();
    for (const definition of FUNCTIONS) {
      const reservedConcurrency =
        collectorOnUrl && definition.name === 'collector'
          ? (props.collectorConcurrency ?? collectorConcurrencyFromContext(this.node) ?? DEFAULT_COLLECTOR_CONCURRENCY)
          : undefined;
      const fn = new PipelineFunction(this, definition.name, {
        definition,
        repoRoot: REPO_ROOT,
        tracing: props.tracing ?? false,
        reservedConcurrency,
      });
      // The collector's instances are counted only when they are capped (`ENV.collectorInstances`).
      if (reservedConcurrency !== undefined) fn.function.addEnvironment(ENV.collectorInstances, String(reservedConcurrency));
      if (definition.table !== 'none') fn.bindTable(ENV.tableName, this.table, definition.table, definition.tableLeadingKeys);
      if (definition.sendsToIngest) fn.bindQueueSender(ENV.ingestQueueUrl, this.ingest.queue);
      if (definition.sendsToPods) fn.bindQueueSenderMap(ENV.podQueueUrls, podQueueByPod);
      if (definition.sendsToAudiences) fn.bindQueueSender(ENV.audienceQueueUrl, this.audienceQueue.queue);
      if (definition.sendsToJobs) fn.bindQueueSender(ENV.jobsQueueUrl, this.jobs.queue);
      if (definition.sendsToDeliveries) fn.bindQueueSender(ENV.deliveriesQueueUrl, this.deliveries.queue);
      if (definition.readsDestinationSecrets) fn.bindSecretsNamed(DESTINATION_SECRET_NAME_PREFIX);
      if (definition.readsHashSecret) fn.bindSecret(ENV.hashSecretArn, hashSecret);
      if (definition.checksAdminKey) fn.bindSecret(ENV.adminKeySecretArn, adminKey);

      if (definition.consumes) {
        const queue = consumable.get(definition.consumes.queue.id);
        if (!queue) {
          const missing = definition.consumes.queue.id;
          throw new Error(`Function ${definition.name} consumes "${missing}", which the stack does not have`);
        }
        // SqsEventSource grants exactly the consume actions on this queue, nothing more.
        fn.function.addEventSource(
          new SqsEventSource(queue, {
            batchSize: definition.consumes.batchSize,
            maxBatchingWindow: Duration.seconds(definition.consumes.maxBatchingWindowSeconds),
            maxConcurrency: definition.consumes.maxConcurrency,
            reportBatchItemFailures: true,
          }),
        );
      }
      if (definition.everyMinutes !== undefined) {
        new events.Rule(this, `${definition.name}Schedule`, {
          description: `Runs ${definition.name} every ${definition.everyMinutes} minutes`,
          schedule: events.Schedule.rate(Duration.minutes(definition.everyMinutes)),
          targets: [new targets.LambdaFunction(fn.function, { retryAttempts: 2 })],
        });
      }
      functions.set(definition.name, fn);
    }
    this.functions = functions;

    // The collector's routes on its own function URL (no per-request price: docs/cost.md), or on
    // the HTTP API with the rest. Either way the function answers CORS per site origin (no CORS
    // configuration on the URL either, so preflights reach it), its 429s and the same paths.
    const collectorFunction = functions.get('collector')?.function;
    if (collectorOnUrl && collectorFunction) {
      this.collectorUrl = collectorFunction.addFunctionUrl({
        authType: lambda.FunctionUrlAuthType.NONE,
        invokeMode: lambda.InvokeMode.BUFFERED,
      });
    }
    this.httpApi = new PipelineHttpApi(this, 'Http', {
      routes: collectorOnUrl ? ROUTES.filter((r) => r.function !== 'collector') : ROUTES,
      functions: new Map([...functions].map(([name, fn]) => [name, fn.function])),
      throttle: props.throttle ?? DEFAULT_THROTTLE,
    });

    this.monitoring = new PipelineMonitoring(this, 'Monitoring', {
      functions,
      ingest: this.ingest,
      jobs: this.jobs,
      deliveries: this.deliveries,
      table: this.table,
      api: this.httpApi.api,
      collectorUrl: this.collectorUrl ? collectorFunction : undefined,
      alarmEmail: props.alarmEmail ?? alarmEmailFromContext(this.node),
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.monitoring.topic.topicArn,
      description: 'SNS topic of the pipeline alarms (subscribe, or deploy with -c alarmEmail=you@example.com)',
    });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });

    new CfnOutput(this, 'ApiUrl', {
      value: this.httpApi.url,
      description: 'Base URL of the HTTP API (paths under /v1)',
    });
    new CfnOutput(this, 'CollectorUrl', {
      value: this.collectorUrl?.url ?? this.httpApi.url,
      description: `Base URL of the collector (/v1/collect, /v1/tracker.js, the Segment routes): ${collectorOnUrl ? 'its function URL' : 'the HTTP API'}`,
    });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'IngestQueueUrl', { value: this.ingest.queue.queueUrl });
    if (this.ingest.deadLetterQueue) {
      new CfnOutput(this, 'IngestDeadLetterQueueUrl', { value: this.ingest.deadLetterQueue.queueUrl });
    }
    new CfnOutput(this, 'JobsQueueUrl', {
      value: this.jobs.queue.queueUrl,
      description: 'Steps of resumable walks (decay, re-scores, audience re-materialisation)',
    });
    if (this.jobs.deadLetterQueue) {
      new CfnOutput(this, 'JobsDeadLetterQueueUrl', { value: this.jobs.deadLetterQueue.queueUrl });
    }
    new CfnOutput(this, 'DeliveriesQueueUrl', {
      value: this.deliveries.queue.queueUrl,
      description:
        'Deliveries to the destinations, consumed by the deliver function (where npm run dlq --redrive sends its DLQ back)',
    });
    if (this.deliveries.deadLetterQueue) {
      new CfnOutput(this, 'DeliveriesDeadLetterQueueUrl', {
        value: this.deliveries.deadLetterQueue.queueUrl,
        description: 'Delivery messages the deliver function failed on 5 times (the table or queue unreachable)',
      });
    }
    for (const [pod, queue] of podQueues) {
      new CfnOutput(this, `PodQueueUrl${outputSuffix(pod)}`, {
        value: queue.queue.queueUrl,
        description: `Outbound queue of the SDR pod "${pod}" (account.qualified|updated|dequalified)`,
      });
    }
    new CfnOutput(this, 'AudienceQueueUrl', {
      value: this.audienceQueue.queue.queueUrl,
      description: 'Outbound queue of audience changes (audience.member_added|member_removed)',
    });
    new CfnOutput(this, 'HashSecretArn', { value: hashSecret.secretArn });
  }
}

/**
 * AWS guidance for an SQS event source: visibility timeout at least six times the function's
 * timeout plus its batching window, so Lambda can retry a throttled batch before the
 * messages reappear. Zero when no function consumes the queue.
 */
export function consumerVisibilityFloor(queue: QueueDefinition): number {
  let floor = 0;
  for (const fn of FUNCTIONS) {
    if (fn.consumes?.queue.id !== queue.id) continue;
    floor = Math.max(floor, 6 * fn.timeoutSeconds + fn.consumes.maxBatchingWindowSeconds);
  }
  return floor;
}

/** `na-enterprise` -> `NaEnterprise`: output logical ids are alphanumeric. */
function outputSuffix(pod: string): string {
  return pod
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

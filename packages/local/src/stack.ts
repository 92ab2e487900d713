import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { hashApiKey } from '@intent/http';
import {
  AUDIENCE_QUEUE,
  DEFAULT_COLLECTOR_CONCURRENCY,
  DELIVERIES_QUEUE,
  ENV,
  FUNCTIONS,
  type FunctionDefinition,
  INGEST_QUEUE,
  JOBS_QUEUE,
  ROUTES,
  TABLE,
} from '@intent/resources';
import { Store } from '@intent/store';
import { type Backends, type DynamoBackend, startBackends } from './backends';
import { preparePrivateDataDir } from './data-dir';
import { removeLocalEndpoints, writeLocalEndpoints } from './endpoints';
import { createGateway, type HttpLambda } from './gateway';
import { lambdaContext } from './lambda-context';
import { makingPodQueues, PodQueues } from './pod-queues';
import { type Consumer, type PollerOptions, QueuePoller, type SqsLambda } from './poller';
import { createQueue, type LocalQueue, queueUrlsByName, restoreQueues, saveQueues } from './queues';
import { type LocalSecrets, loadSecrets } from './secrets';
import { ensureTable } from './table';
import { WorkerPoller } from './worker-poller';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TABLE_NAME = 'intent-pipeline';
const REGION = 'us-east-1';

export interface LocalStackOptions {
  /**
   * Called as soon as the HTTP server listens (the consumers start after): what must exist
   * before anything can call the API, such as `npm start`'s development keys file.
   */
  onListening?: (baseUrl: string, secrets: LocalSecrets) => void;
  dataDir: string;
  /** HTTP port; 0 picks a free one. */
  port?: number;
  adminKey?: string;
  /** Shorter timings for tests: how long a failed message stays invisible, and the batching window. */
  visibilityTimeoutSeconds?: number;
  maxBatchingWindowMs?: number;
  /** Run the schedules (default true). */
  schedules?: boolean;
  /**
   * Run each queue consumer, and dynalite, in a worker thread of its own (`npm start`, the
   * bench): their work then uses another core than the API, as Lambda functions and DynamoDB
   * would. Needs the process to run under tsx; default false (the tests).
   */
  workerThreads?: boolean;
  /** Module URLs each consumer worker imports before its handler (the bench's instrumentation). */
  workerPreload?: string[];
  /**
   * The most a job step may work before it sends its continuation (default 10 s, so a clean stop
   * waits little for the step in flight; in AWS a step has its function's remaining time).
   * Tests force continuations with a tiny one.
   */
  jobBudgetMs?: number;
  /** The byte budget of one page of a long answer (default 4 MB); tests force paging with a small one. */
  pageMaxBytes?: number;
  onError?: (err: unknown) => void;
  /** Lines for the person running the stack, such as saved messages that could not be restored (default: stderr). */
  onWarning?: (line: string) => void;
}

export interface LocalStack {
  baseUrl: string;
  /** Which stand-in serves the DynamoDB API (INTENT_DYNAMODB). */
  dynamodb: DynamoBackend;
  secrets: LocalSecrets;
  /** By queue id (`pod-<podId>` for a pod's); a pod's queue is added as soon as the pods configuration names it. */
  queues: Record<string, LocalQueue>;
  sqs: SQSClient;
  dynamo: DynamoDBClient;
  store: Store;
  restored: number;
  /** Queue consumers running in worker threads (`workerThreads`). */
  consumerWorkers: number;
  /**
   * Each worker thread's event loop utilization so far, by what it runs (a consumer's function
   * name, `dynalite`): how busy its thread was (the bench's diagnostics).
   */
  workerUtilization(): Record<string, EventLoopUtilization>;
  /** Waits until the ingest queue is empty and its batch in flight is done. */
  drain(timeoutMs?: number): Promise<void>;
  /**
   * Stops the ingest queue's consumer once its batches in flight are done, leaving what is
   * queued; answers what starts it again (the bench measures the collector apart from it).
   */
  pauseIngest(): Promise<() => Promise<void>>;
  /** Invokes a scheduled function now, as its schedule would. */
  runSchedule(name: FunctionDefinition['name']): Promise<unknown>;
  /** Stops cleanly: no new requests, the ingest queue drained, unconsumed messages saved. */
  stop(): Promise<{ saved: number }>;
}

/**
 * Runs the whole pipeline on this machine: the stand-ins, the table and queues from the
 * stack's own definitions, the HTTP API, the queue consumers and the schedules, each invoking
 * the very handler module the stack bundles (`FunctionDefinition.entry`).
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  preparePrivateDataDir(options.dataDir);
  const secrets = loadSecrets(options.dataDir, options.adminKey);
  const backends = await startBackends(options.dataDir, { dynaliteInWorker: options.workerThreads });
  const clientConfig = { region: REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const dynamo = new DynamoDBClient({ ...clientConfig, endpoint: backends.dynamoEndpoint });
  const sqs = new SQSClient({ ...clientConfig, endpoint: backends.sqsEndpoint, useQueueUrlAsEndpoint: false });
  await ensureTable(dynamo, TABLE, TABLE_NAME, { timeToLive: backends.dynamodb === 'ddb-local' });
  const store = new Store(dynamo, TABLE_NAME);

  const queues: Record<string, LocalQueue> = {};
  for (const def of [INGEST_QUEUE, JOBS_QUEUE, AUDIENCE_QUEUE, DELIVERIES_QUEUE]) queues[def.id] = await createQueue(sqs, def);
  const pollers: Consumer[] = [];
  /** Lists every queue (pods' too) for the operator scripts and integrations, once the stack is up. */
  let started = false;
  const saveEndpoints = () =>
    writeLocalEndpoints(options.dataDir, {
      sqsEndpoint: backends.sqsEndpoint,
      dynamoEndpoint: backends.dynamoEndpoint,
      tableName: TABLE_NAME,
      queues: Object.fromEntries(Object.entries(queues).map(([id, q]) => [id, { url: q.url, dlqUrl: q.dlqUrl }])),
    });
  const podQueues = new PodQueues(sqs, queues, async (urls) => {
    const vars = { [ENV.podQueueUrls]: JSON.stringify(urls) };
    Object.assign(process.env, vars);
    await Promise.all(pollers.map((p) => (p instanceof WorkerPoller ? p.setEnv(vars) : undefined)));
    if (started) saveEndpoints();
  });
  await podQueues.createAtStart((await store.config.getAll()).pods.pods.map((p) => p.id));
  await ensureDevKeys(store, secrets);

  setEnvironment(backends, secrets, queues, podQueues.urls(), options);
  const modules = await loadHandlers();
  const onError = options.onError ?? ((err: unknown) => console.error('[local]', err));

  const api = makingPodQueues(
    modules.api as HttpLambda,
    podQueues,
    {
      keys: store.apiKeys,
      bootstrapAdminSha256: hashApiKey(secrets.adminKey),
      podsRevision: async (n) => (await store.config.revision('pods', n))?.value,
    },
    onError,
  );
  const http = createGateway(ROUTES, { ...(modules as Record<string, HttpLambda>), api });
  const askedPort = options.port ?? 3000;
  await listen(http, askedPort).catch(async (err: unknown) => {
    await backends.stop();
    throw (err as { code?: string }).code === 'EADDRINUSE'
      ? new Error(`port ${askedPort} is in use (another npm start?): stop what listens there, or choose another port with PORT=`)
      : err;
  });
  // Only once the port is this stack's: a start that fails before keeps the saved messages for the next.
  const restored = await restoreQueues(
    sqs,
    queueUrlsByName(queues),
    options.dataDir,
    options.onWarning ?? ((line) => console.warn(line)),
  );
  options.onListening?.(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, secrets);
  /** Consumers a clean stop drains first: the ingest queue's (jobs are saved mid-walk and resume on the next start). */
  const drainedOnStop = new Set<Consumer>();
  for (const f of FUNCTIONS) {
    if (!f.consumes) continue;
    const queue = queues[f.consumes.queue.id] as LocalQueue;
    const pollerOptions: PollerOptions = {
      functionName: f.name,
      queueUrl: queue.url,
      queueArn: queue.arn,
      batchSize: f.consumes.batchSize,
      concurrency: f.consumes.maxConcurrency,
      maxBatchingWindowMs: options.maxBatchingWindowMs ?? f.consumes.maxBatchingWindowSeconds * 1000,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? f.consumes.queue.visibilityTimeoutSeconds,
      timeoutMs: f.timeoutSeconds * 1000,
    };
    let consumer: Consumer;
    if (options.workerThreads) {
      const entry = pathToFileURL(resolve(REPO_ROOT, f.entry)).href;
      const worker = new WorkerPoller(
        {
          entry,
          sqsEndpoint: backends.sqsEndpoint,
          region: REGION,
          options: pollerOptions,
          preload: options.workerPreload ?? [],
        },
        onError,
      );
      await worker.launch();
      consumer = worker;
    } else {
      const poller = new QueuePoller(sqs, modules[f.name] as SqsLambda, pollerOptions, onError);
      poller.start();
      consumer = poller;
    }
    pollers.push(consumer);
    if (f.consumes.queue.id === INGEST_QUEUE.id) drainedOnStop.add(consumer);
  }
  const runSchedule = (name: FunctionDefinition['name']) =>
    (modules[name] as (e: unknown, c: unknown) => Promise<unknown>)(
      { source: 'aws.events', 'detail-type': 'Scheduled Event', time: new Date().toISOString(), detail: {} },
      lambdaContext(name, (FUNCTIONS.find((f) => f.name === name)?.timeoutSeconds ?? 30) * 1000),
    );
  const timers =
    options.schedules === false
      ? []
      : FUNCTIONS.filter((f) => f.everyMinutes).map((f) =>
          setInterval(() => runSchedule(f.name).catch(onError), (f.everyMinutes as number) * 60_000),
        );

  const port = (http.address() as AddressInfo).port;
  started = true;
  saveEndpoints();
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    dynamodb: backends.dynamodb,
    secrets,
    queues,
    sqs,
    dynamo,
    store,
    restored,
    consumerWorkers: options.workerThreads ? pollers.length : 0,
    workerUtilization: () => {
      const threads: Record<string, EventLoopUtilization> = {};
      for (const p of pollers) {
        const elu = p instanceof WorkerPoller ? p.utilization() : undefined;
        if (p instanceof WorkerPoller && elu) threads[p.functionName] = elu;
      }
      const dynalite = backends.utilization();
      if (dynalite) threads.dynalite = dynalite;
      return threads;
    },
    async drain(timeoutMs = 30_000) {
      await Promise.all(pollers.map((p) => p.drain(timeoutMs)));
    },
    async pauseIngest() {
      const ingest = pollers.filter((p) => drainedOnStop.has(p));
      await Promise.all(ingest.map((p) => p.pause()));
      return async () => {
        await Promise.all(ingest.map((p) => p.resume()));
      };
    },
    runSchedule,
    async stop() {
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      await closed;
      for (const t of timers) clearInterval(t);
      await Promise.all(pollers.map((p) => p.stop({ drain: drainedOnStop.has(p) })));
      const saved = saveQueues(backends.fauxqs, Object.keys(queueUrlsByName(queues)), options.dataDir);
      removeLocalEndpoints(options.dataDir);
      await backends.stop();
      return { saved };
    },
  };
}

/** The variables the stack sets on each function, pointed at the stand-ins. */
function setEnvironment(
  backends: Backends,
  secrets: LocalSecrets,
  queues: Record<string, LocalQueue>,
  podQueueUrls: Record<string, string>,
  options: LocalStackOptions,
) {
  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: backends.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: backends.sqsEndpoint,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    // A metrics line per batch is for CloudWatch; locally it is noise unless asked for.
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    [ENV.tableName]: TABLE_NAME,
    [ENV.ingestQueueUrl]: queues[INGEST_QUEUE.id]?.url,
    [ENV.podQueueUrls]: JSON.stringify(podQueueUrls),
    [ENV.audienceQueueUrl]: queues[AUDIENCE_QUEUE.id]?.url,
    [ENV.jobsQueueUrl]: queues[JOBS_QUEUE.id]?.url,
    [ENV.deliveriesQueueUrl]: queues[DELIVERIES_QUEUE.id]?.url,
    [ENV.jobBudgetMs]: String(options.jobBudgetMs ?? DEFAULT_JOB_BUDGET_MS),
    // Receivers of the demo and the tests listen on this machine.
    [ENV.allowPrivateDestinations]: 'true',
    [ENV.hashSecret]: secrets.hashSecret,
    [ENV.adminKeySha256]: hashApiKey(secrets.adminKey),
    [ENV.collectorInstances]: String(DEFAULT_COLLECTOR_CONCURRENCY),
  });
  if (options.pageMaxBytes !== undefined) process.env[ENV.pageMaxBytes] = String(options.pageMaxBytes);
  else delete process.env[ENV.pageMaxBytes];
}

/** A local job step works at most this long, so a clean stop waits little for the one in flight. */
const DEFAULT_JOB_BUDGET_MS = 10_000;

/** Imports each function's handler from the path the stack bundles: one import path each. */
async function loadHandlers(): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    FUNCTIONS.map(async (f) => {
      const module = (await import(pathToFileURL(resolve(REPO_ROOT, f.entry)).href)) as { handler: unknown };
      return [f.name, module.handler] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** Development keys for marketing and every SDR pod, stored hashed like any other key. */
async function ensureDevKeys(store: Store, secrets: LocalSecrets) {
  const dev = [
    { key: secrets.marketingKey, name: 'development marketing key', scopes: ['marketing'] },
    { key: secrets.sdrKey, name: 'development SDR key (all pods)', scopes: ['sdr:*'] },
  ];
  for (const [i, k] of dev.entries()) {
    const hash = hashApiKey(k.key);
    if (await store.apiKeys.findByHash(hash)) continue;
    await store.apiKeys.create({ id: `dev-${i + 1}`, name: k.name, scopes: k.scopes, createdAt: new Date().toISOString() }, hash);
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

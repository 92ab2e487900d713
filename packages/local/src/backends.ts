import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo, type ListenOptions, Server as NetServer } from 'node:net';
import { join } from 'node:path';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { startFauxqs } from 'fauxqs';
import { startDynamoDbLocal } from './dynamodb-local';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: { path?: string; createTableMs?: number }) => Server;

export type Fauxqs = Awaited<ReturnType<typeof startFauxqs>>;

/**
 * What serves the DynamoDB API locally. `dynalite` (the default) runs in this process (or, with
 * `dynaliteInWorker`, in a worker thread of its own), LevelDB under the data dir. `ddb-local` is the official DynamoDB Local in a Java child process, SQLite
 * under the data dir: slower to start, but it enforces AWS's limits (400 KB items, 4 KB
 * expressions) that dynalite lets through in part, so the conformance tests run on it.
 */
export type DynamoBackend = 'dynalite' | 'ddb-local';

/** The backend INTENT_DYNAMODB names; dynalite when it is unset. */
export function dynamoBackendFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoBackend {
  const value = env.INTENT_DYNAMODB || 'dynalite';
  if (value === 'dynalite' || value === 'ddb-local') return value;
  throw new Error(`INTENT_DYNAMODB must be "dynalite" or "ddb-local", not "${value}"`);
}

export interface Backends {
  dynamodb: DynamoBackend;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  fauxqs: Fauxqs;
  /** dynalite's thread's event loop utilization so far, when it runs in a worker (`dynaliteInWorker`). */
  utilization(): EventLoopUtilization | undefined;
  stop(): Promise<void>;
}

/** A running DynamoDB stand-in. */
interface DynamoServer {
  port: number;
  stop(): Promise<void>;
  /** Its thread's event loop utilization, when it has a thread of its own in this process. */
  utilization?(): EventLoopUtilization;
}

/**
 * Ports chosen by the first start in this process. The handler modules build their SDK
 * clients once, at module scope, as in Lambda; a restart inside the same process (tests)
 * therefore reuses the ports so those clients stay pointed at the stand-ins.
 */
let ports: { dynamo: number; sqs: number } | undefined;

export interface BackendOptions {
  /** Which DynamoDB stand-in (default: what INTENT_DYNAMODB names). */
  dynamodb?: DynamoBackend;
  /**
   * Run dynalite in a worker thread of its own, as DynamoDB runs apart from the API and the
   * functions that call it (`npm start`, the bench): otherwise every DynamoDB request waits
   * behind the collector's and fauxqs's work on one thread, and each answer's delay grows with
   * the traffic. The tests keep it in their own thread (quicker to start, one stack per file).
   */
  dynaliteInWorker?: boolean;
}

/**
 * Starts the DynamoDB stand-in and fauxqs (SQS API, in memory) on loopback, the table data
 * under dataDir.
 */
export async function startBackends(dataDir: string, options: BackendOptions = {}): Promise<Backends> {
  const dynamodb = options.dynamodb ?? dynamoBackendFromEnv();
  mkdirSync(dataDir, { recursive: true });
  const dynamo: DynamoServer =
    dynamodb === 'ddb-local'
      ? await startJava(dataDir)
      : options.dynaliteInWorker
        ? await startDynaliteWorker(dataDir)
        : await startDynalite(dataDir);
  const fauxqs = await onLoopback(() => startFauxqs({ port: ports?.sqs ?? 0, logger: false })).catch(async (err) => {
    await dynamo.stop();
    throw err;
  });
  ports = { dynamo: dynamo.port, sqs: fauxqs.port };
  return {
    dynamodb,
    dynamoEndpoint: `http://127.0.0.1:${ports.dynamo}`,
    sqsEndpoint: `http://127.0.0.1:${ports.sqs}`,
    fauxqs,
    utilization: () => dynamo.utilization?.(),
    async stop() {
      await fauxqs.stop();
      await dynamo.stop();
    },
  };
}

/**
 * Runs `start` with every server it opens on all interfaces bound to loopback instead. fauxqs
 * 1.x listens on 0.0.0.0 whatever its options say (its `host` only names queue URLs), and it
 * checks no credentials: on every interface anyone on the network could send forged ingest
 * messages. Only a listen given as options (what fastify calls) on all interfaces is rewritten,
 * and only while `start` runs; the test of loopback-only ports fails if fauxqs ever listens otherwise.
 */
async function onLoopback<T>(start: () => Promise<T>): Promise<T> {
  const listen = NetServer.prototype.listen;
  const ALL_INTERFACES = new Set(['0.0.0.0', '::', undefined]);
  NetServer.prototype.listen = function (this: NetServer, ...args: unknown[]) {
    const [first] = args;
    if (first && typeof first === 'object' && ALL_INTERFACES.has((first as ListenOptions).host)) {
      args[0] = { ...(first as ListenOptions), host: '127.0.0.1' };
    }
    return (listen as (...a: unknown[]) => NetServer).apply(this, args);
  } as typeof listen;
  try {
    return await start();
  } finally {
    NetServer.prototype.listen = listen;
  }
}

async function startDynalite(dataDir: string) {
  const server = dynalite({ path: join(dataDir, 'dynamodb'), createTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ports?.dynamo ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** dynalite in a worker thread: it answers on its port as in-process, and closes its LevelDB on stop. */
async function startDynaliteWorker(dataDir: string) {
  const worker = new Worker(DYNALITE_WORKER, {
    eval: true,
    workerData: { module: require.resolve('dynalite'), path: join(dataDir, 'dynamodb'), port: ports?.dynamo ?? 0 },
  });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: { port?: number; error?: string }) =>
      m.port ? resolve(m.port) : reject(new Error(`dynalite worker: ${m.error}`)),
    );
  });
  return {
    port,
    utilization: () => worker.performance.eventLoopUtilization(),
    stop: async () => {
      await new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.postMessage('stop');
      });
      await worker.terminate();
    },
  };
}

/** The worker's script (CommonJS, so no TypeScript loader is needed): listen, say the port; on `stop`, close and say so. */
const DYNALITE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const server = require(workerData.module)({ path: workerData.path, createTableMs: 0 });
server.once('error', (err) => parentPort.postMessage({ error: String(err) }));
server.listen(workerData.port, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', () => server.close(() => parentPort.postMessage({ stopped: true })));
`;

function startJava(dataDir: string) {
  return startDynamoDbLocal(join(dataDir, 'dynamodb-local'), ports?.dynamo ?? 0);
}

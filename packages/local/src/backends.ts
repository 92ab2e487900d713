import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startFauxqs } from 'fauxqs';
import { startDynamoDbLocal } from './dynamodb-local';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: { path?: string; createTableMs?: number }) => Server;

export type Fauxqs = Awaited<ReturnType<typeof startFauxqs>>;

/**
 * What serves the DynamoDB API locally. `dynalite` (the default) runs in this process, LevelDB
 * under the data dir. `ddb-local` is the official DynamoDB Local in a Java child process, SQLite
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
  stop(): Promise<void>;
}

/**
 * Ports chosen by the first start in this process. The handler modules build their SDK
 * clients once, at module scope, as in Lambda; a restart inside the same process (tests)
 * therefore reuses the ports so those clients stay pointed at the stand-ins.
 */
let ports: { dynamo: number; sqs: number } | undefined;

/**
 * Starts the DynamoDB stand-in (`dynamodb`, by default what INTENT_DYNAMODB names) and fauxqs
 * (SQS API, in memory) on loopback, the table data under dataDir.
 */
export async function startBackends(dataDir: string, dynamodb = dynamoBackendFromEnv()): Promise<Backends> {
  mkdirSync(dataDir, { recursive: true });
  const dynamo = dynamodb === 'ddb-local' ? await startJava(dataDir) : await startDynalite(dataDir);
  const fauxqs = await startFauxqs({ port: ports?.sqs ?? 0, logger: false }).catch(async (err) => {
    await dynamo.stop();
    throw err;
  });
  ports = { dynamo: dynamo.port, sqs: fauxqs.port };
  return {
    dynamodb,
    dynamoEndpoint: `http://127.0.0.1:${ports.dynamo}`,
    sqsEndpoint: `http://127.0.0.1:${ports.sqs}`,
    fauxqs,
    async stop() {
      await fauxqs.stop();
      await dynamo.stop();
    },
  };
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

function startJava(dataDir: string) {
  return startDynamoDbLocal(join(dataDir, 'dynamodb-local'), ports?.dynamo ?? 0);
}

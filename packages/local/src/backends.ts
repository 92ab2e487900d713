import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startFauxqs } from 'fauxqs';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: { path?: string; createTableMs?: number }) => Server;

export type Fauxqs = Awaited<ReturnType<typeof startFauxqs>>;

export interface Backends {
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

/** Starts dynalite (DynamoDB API, LevelDB under dataDir) and fauxqs (SQS API, in memory) on loopback. */
export async function startBackends(dataDir: string): Promise<Backends> {
  mkdirSync(dataDir, { recursive: true });
  const dynamo = dynalite({ path: join(dataDir, 'dynamodb'), createTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynamo.once('error', reject);
    dynamo.listen(ports?.dynamo ?? 0, '127.0.0.1', () => resolve());
  });
  const fauxqs = await startFauxqs({ port: ports?.sqs ?? 0, logger: false });
  ports = { dynamo: (dynamo.address() as AddressInfo).port, sqs: fauxqs.port };
  return {
    dynamoEndpoint: `http://127.0.0.1:${ports.dynamo}`,
    sqsEndpoint: `http://127.0.0.1:${ports.sqs}`,
    fauxqs,
    async stop() {
      await fauxqs.stop();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    },
  };
}

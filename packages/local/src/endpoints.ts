import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writePrivateFile } from './data-dir';

/**
 * Where a running local stack's stand-ins are, written to its data dir while it runs (again when
 * a pod's queue is added): the operator scripts (`npm run dlq`) and integrations reach its
 * queues and table through them, as they would a deployment's through the stack outputs.
 * Removed on a clean stop.
 */
export const LOCAL_ENDPOINTS_FILE = 'local-endpoints.json';

export const LocalEndpoints = z.object({
  sqsEndpoint: z.string().url(),
  dynamoEndpoint: z.string().url(),
  tableName: z.string().min(1),
  /** By queue id (`ingest`, `jobs`, `deliveries`, `audiences`, `pod-<podId>`): its URL and its dead-letter queue's, if it has one. */
  queues: z.record(z.string(), z.object({ url: z.string(), dlqUrl: z.string().optional() })),
});
export type LocalEndpoints = z.infer<typeof LocalEndpoints>;

export function writeLocalEndpoints(dataDir: string, endpoints: LocalEndpoints): void {
  writePrivateFile(join(dataDir, LOCAL_ENDPOINTS_FILE), `${JSON.stringify(endpoints, null, 2)}\n`);
}

export function removeLocalEndpoints(dataDir: string): void {
  rmSync(join(dataDir, LOCAL_ENDPOINTS_FILE), { force: true });
}

/** The endpoints of the stack running on this data dir, or undefined when none is. */
export function readLocalEndpoints(dataDir: string): LocalEndpoints | undefined {
  const file = join(dataDir, LOCAL_ENDPOINTS_FILE);
  if (!existsSync(file)) return undefined;
  const parsed = LocalEndpoints.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

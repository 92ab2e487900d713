import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

/**
 * Where the scripts (`npm run demo`, `npm run config:apply`) find the stack and its admin key:
 * the variables `npm start` reads, so a script run beside it needs none of its own.
 */

/** `INTENT_URL` (a stack elsewhere, e.g. the API Gateway URL of a deployment), else `http://127.0.0.1:$PORT`. */
export function stackUrl(env: NodeJS.ProcessEnv): string {
  return (env.INTENT_URL || `http://127.0.0.1:${env.PORT || 3000}`).replace(/\/+$/, '');
}

/**
 * `INTENT_COLLECTOR_URL` (a deployment's `CollectorUrl` output: the collector's function URL),
 * else the stack's URL, which serves the collector's routes locally and with the HTTP API front door.
 */
export function collectorUrl(env: NodeJS.ProcessEnv): string {
  return (env.INTENT_COLLECTOR_URL || stackUrl(env)).replace(/\/+$/, '');
}

/** `INTENT_DATA_DIR` (default `.data`), resolved: where the local stack keeps its data and the scripts their backups. */
export function dataDir(env: NodeJS.ProcessEnv): string {
  return resolve(env.INTENT_DATA_DIR || '.data');
}

const LocalSecrets = z.object({ adminKey: z.string().min(1) });

/** INTENT_ADMIN_KEY, else the development admin key the local stack keeps in its data dir. */
export function adminKeyFrom(env: NodeJS.ProcessEnv): string {
  if (env.INTENT_ADMIN_KEY) return env.INTENT_ADMIN_KEY;
  const file = join(dataDir(env), 'local-secrets.json');
  if (!existsSync(file))
    throw new Error(`no INTENT_ADMIN_KEY and no ${file}: start the stack (npm start) first, or set INTENT_ADMIN_KEY`);
  const secrets = LocalSecrets.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!secrets.success) throw new Error(`${file} holds no adminKey`);
  return secrets.data.adminKey;
}

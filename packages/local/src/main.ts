import './quiet-sdk';
import { relative, resolve } from 'node:path';
import { snippetTag } from '@intent/tracker';
import { writeDevKeys } from './dev-keys';
import { startLocalStack } from './stack';

/**
 * `npm start`: the whole pipeline on this machine. PORT (default 3000), INTENT_DATA_DIR
 * (default .data) and INTENT_ADMIN_KEY are read here; Ctrl-C stops cleanly.
 */
const dataDir = resolve(process.env.INTENT_DATA_DIR ?? '.data');
// Written before /v1/health can answer: a script that waits for health then sources it finds it.
let keysFile = '';
const stack = await startLocalStack({
  dataDir,
  port: Number(process.env.PORT ?? 3000),
  adminKey: process.env.INTENT_ADMIN_KEY || undefined,
  workerThreads: true,
  onListening: (url, keys) => {
    keysFile = writeDevKeys(dataDir, url, keys);
  },
}).catch((err: unknown) => {
  console.error(`npm start failed: ${(err as Error).message ?? String(err)}`);
  process.exit(1);
});

const { baseUrl, secrets } = stack;
// Shown as the README writes it (`.data/dev-keys.env`) when the data dir is under the working directory.
const keysPath = relative(process.cwd(), keysFile).startsWith('..') ? keysFile : relative(process.cwd(), keysFile);
console.log(`intent-pipeline is running at ${baseUrl}  (data: ${dataDir})
${stack.restored ? `restored ${stack.restored} queued messages saved by the last clean stop\n` : ''}
API keys (development):
  admin      ${secrets.adminKey}
  marketing  ${secrets.marketingKey}
  sdr:*      ${secrets.sdrKey}
For the README's curl calls, in another terminal:  source ${keysPath}

Paste into a page of the development site (write key wk_dev):
  ${snippetTag(baseUrl, 'wk_dev').replace(/\n/g, '\n  ')}

Ctrl-C stops it cleanly (the ingest queue is drained and queued messages are saved).`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: draining the ingest queue and saving queued messages...`);
  const { saved } = await stack.stop();
  console.log(`stopped cleanly; ${saved} unconsumed messages saved for the next start`);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

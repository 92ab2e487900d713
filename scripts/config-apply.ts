import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { applyConfig, readConfigFile } from './lib/apply-config';
import { adminKeyFrom, dataDir, stackUrl } from './lib/stack-address';
import { StackClient } from './lib/stack-client';

/**
 * `npm run config:apply -- [--replace] <file.json>...`: applies configuration files (see
 * `examples/`) to the running stack, adding their entries beside the stack's (merged by id);
 * `--replace` PUTs each section exactly as the file gives it (a backup the scripts wrote).
 * The stack is at INTENT_URL (default http://127.0.0.1:$PORT); the key is INTENT_ADMIN_KEY or
 * the data dir's development key.
 */
const USAGE = 'usage: npm run config:apply -- [--replace] <file.json>...';

async function main() {
  const { values, positionals } = parseArgs({
    options: { replace: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  if (positionals.length === 0) throw new Error(USAGE);
  const env = process.env;
  // Every file is read and checked before the first one is sent: a mistake changes nothing.
  const files = positionals.map((path) => ({ path, config: readConfigFile(path) }));
  const client = new StackClient(stackUrl(env), adminKeyFrom(env));
  if (!(await client.health(5_000)))
    throw new Error(`no stack answers ${client.baseUrl}/v1/health: start it with npm start, or set INTENT_URL`);
  for (const { path, config } of files) {
    console.log(`${path} -> ${client.baseUrl}`);
    await applyConfig(client, config, {
      replace: values.replace,
      backupDir: join(dataDir(env), 'config-backups'),
      log: (line) => console.log(`  ${line}`),
    });
  }
}

main().catch((err: unknown) => {
  console.error(`config:apply failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalSecrets } from './secrets';

/** The file, under the data dir, that the README's curl walk-through sources. */
export const DEV_KEYS_FILE = 'dev-keys.env';

/**
 * Writes the stack's base URL and development API keys as shell exports
 * (`source .data/dev-keys.env`), so the README's curl calls run as written, whatever the
 * port: readable by the owner only, as the keys are. Answers the file's path.
 */
export function writeDevKeys(dataDir: string, baseUrl: string, secrets: LocalSecrets): string {
  const file = join(dataDir, DEV_KEYS_FILE);
  const vars = {
    INTENT_URL: baseUrl,
    ADMIN_KEY: secrets.adminKey,
    SDR_KEY: secrets.sdrKey,
    MARKETING_KEY: secrets.marketingKey,
  };
  const lines = Object.entries(vars).map(([name, value]) => `export ${name}=${shellQuoted(value)}`);
  writeFileSync(file, `# written by npm start: the local stack's address and development API keys\n${lines.join('\n')}\n`, {
    mode: 0o600,
  });
  // `mode` applies only when the file is created: a file left by an earlier start keeps its own.
  chmodSync(file, 0o600);
  return file;
}

/** Single-quoted for a POSIX shell: an admin key from INTENT_ADMIN_KEY may hold any character. */
const shellQuoted = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

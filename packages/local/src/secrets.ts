import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newApiKey } from '@intent/http';
import { writePrivateFile } from './data-dir';

export interface LocalSecrets {
  hashSecret: string;
  adminKey: string;
  marketingKey: string;
  sdrKey: string;
}

/**
 * The development deployment's secrets, made on first start and kept under the data dir so a
 * restart keeps hashes and keys valid. Local development only: in AWS the hash secret lives in
 * Secrets Manager and keys exist only as hashes. INTENT_ADMIN_KEY overrides the admin key.
 */
export function loadSecrets(dataDir: string, adminKeyOverride?: string): LocalSecrets {
  const file = join(dataDir, 'local-secrets.json');
  let secrets: LocalSecrets;
  if (existsSync(file)) {
    // Owner-only again, should anything have widened it since it was written.
    chmodSync(file, 0o600);
    secrets = JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  } else {
    secrets = {
      hashSecret: randomBytes(32).toString('base64url'),
      adminKey: newApiKey(),
      marketingKey: newApiKey(),
      sdrKey: newApiKey(),
    };
    writePrivateFile(file, JSON.stringify(secrets, null, 2));
  }
  return adminKeyOverride ? { ...secrets, adminKey: adminKeyOverride } : secrets;
}

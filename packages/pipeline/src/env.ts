import { createHash } from 'node:crypto';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ENV } from '@intent/resources';

/**
 * Reads a required environment variable once, at cold start: a missing one stops the function
 * with a sentence naming it, instead of failing later on a request.
 */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is required but not set`);
  return value;
}

export function optionalEnv(name: string): string | undefined {
  return process.env[name] || undefined;
}

/**
 * The per-deployment hashing secret: `HASH_SECRET` where it is given as a value (the local
 * runtime), else read once from Secrets Manager by `HASH_SECRET_ARN` (AWS, where the value
 * never sits in the function configuration).
 */
export async function loadHashSecret(): Promise<string> {
  const direct = optionalEnv(ENV.hashSecret);
  if (direct) return direct;
  const arn = process.env[ENV.hashSecretArn];
  if (!arn) throw new Error(`environment variable ${ENV.hashSecret} or ${ENV.hashSecretArn} is required but neither is set`);
  return readSecretValue(arn);
}

/**
 * The SHA-256 of the bootstrap admin key, if there is one: `ADMIN_KEY_SHA256` locally, else
 * the hash of the key the stack generated, read once from Secrets Manager by
 * `ADMIN_KEY_SECRET_ARN` (AWS).
 */
export async function loadBootstrapAdminSha256(): Promise<string | undefined> {
  const direct = optionalEnv(ENV.adminKeySha256);
  if (direct) return direct;
  const arn = optionalEnv(ENV.adminKeySecretArn);
  return arn
    ? createHash('sha256')
        .update(await readSecretValue(arn))
        .digest('hex')
    : undefined;
}

/** A Secrets Manager secret's string value, read once a day per warm function at most. */
export async function readSecretValue(arn: string): Promise<string> {
  const value = await getSecret(arn, { maxAge: 24 * 3600 });
  if (typeof value !== 'string' || !value) throw new Error(`secret ${arn} holds no string value`);
  return value;
}

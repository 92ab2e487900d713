import { createHash } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadBootstrapAdminSha256, loadHashSecret } from '@intent/pipeline';
import { ENV } from '@intent/resources';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** How the functions find their secrets: values locally, Secrets Manager ARNs in AWS. */
describe('secrets from the environment or Secrets Manager', () => {
  const secrets = mockClient(SecretsManagerClient);
  const values: Record<string, string> = { 'arn:hash': 'h'.repeat(64), 'arn:admin': 'Zr8yQm3vXw7tLp2sKd9fHj4bNc6gRa1e' };
  beforeEach(() => {
    secrets.reset();
    secrets.on(GetSecretValueCommand).callsFake(({ SecretId }: { SecretId: string }) => ({ SecretString: values[SecretId] }));
    for (const name of [ENV.hashSecret, ENV.hashSecretArn, ENV.adminKeySha256, ENV.adminKeySecretArn]) vi.stubEnv(name, '');
  });
  afterEach(() => vi.unstubAllEnvs());

  it('reads the hash secret by its ARN when no value is given', async () => {
    vi.stubEnv(ENV.hashSecretArn, 'arn:hash');
    expect(await loadHashSecret()).toBe(values['arn:hash']);
    vi.stubEnv(ENV.hashSecret, 'local-value');
    expect(await loadHashSecret()).toBe('local-value');
  });

  it('hashes the admin key the stack generated; the local hash wins; none without either', async () => {
    expect(await loadBootstrapAdminSha256()).toBeUndefined();
    vi.stubEnv(ENV.adminKeySecretArn, 'arn:admin');
    const sha256 = createHash('sha256')
      .update(values['arn:admin'] as string)
      .digest('hex');
    expect(await loadBootstrapAdminSha256()).toBe(sha256);
    expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual(['arn:admin']);
    vi.stubEnv(ENV.adminKeySha256, 'f'.repeat(64));
    expect(await loadBootstrapAdminSha256()).toBe('f'.repeat(64));
  });
});

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dynamoBackendFromEnv } from '@intent/local';
import { describe, expect, it } from 'vitest';
import { eventually } from './harness';

const ROOT = resolve(__dirname, '../..');

describe('choosing the DynamoDB stand-in', () => {
  it('is dynalite unless INTENT_DYNAMODB says ddb-local, and refuses any other name', () => {
    expect(dynamoBackendFromEnv({})).toBe('dynalite');
    expect(dynamoBackendFromEnv({ INTENT_DYNAMODB: '' })).toBe('dynalite');
    expect(dynamoBackendFromEnv({ INTENT_DYNAMODB: 'ddb-local' })).toBe('ddb-local');
    expect(() => dynamoBackendFromEnv({ INTENT_DYNAMODB: 'dynamodb-local' })).toThrow(/"dynalite" or "ddb-local"/);
  });
});

describe.runIf(dynamoBackendFromEnv() === 'ddb-local')('the DynamoDB Local child process', () => {
  it('stops when the process that started it dies without stopping it (SIGKILL)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'intent-ddb-local-'));
    const script = `import { startBackends } from './packages/local/src/backends.ts';
      const backends = await startBackends(${JSON.stringify(dataDir)}, { dynamodb: 'ddb-local' });
      console.log('endpoint ' + backends.dynamoEndpoint);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    parent.stdout?.on('data', (d) => {
      output += d;
    });
    try {
      const endpoint = await eventually(async () => /endpoint (\S+)/.exec(output)?.[1], 60_000);
      expect(await answers(endpoint)).toBe(true);

      parent.kill('SIGKILL');
      await eventually(async () => ((await answers(endpoint)) ? undefined : true), 15_000);
    } finally {
      parent.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});

async function answers(endpoint: string): Promise<boolean> {
  try {
    await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

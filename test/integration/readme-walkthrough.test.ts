import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DEV_KEYS_FILE, writeDevKeys } from '@intent/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './harness';
import { bashBlockUnder, parseSample, sampleMismatches, walkthroughSteps } from './readme-samples';

const run = promisify(execFile);
const README = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
const WALKTHROUGH = 'From one event to a pod queue (curl walk-through)';

describe('the README walk-through, run as a reader runs it', () => {
  // The reader's working directory, with the stack's data dir where the README sources it from.
  const cwd = mkdtempSync(join(tmpdir(), 'intent-readme-'));
  const dataDir = join(cwd, '.data');
  let stack: TestStack;
  /** What a reader's shell keeps between the steps: the files it sourced. */
  const sourced: string[] = [];

  beforeAll(async () => {
    mkdirSync(dataDir);
    stack = await startTestStack({ dataDir });
    // What `npm start` does after starting the stack (packages/local/src/main.ts).
    writeDevKeys(dataDir, stack.baseUrl, stack.secrets);
  });
  afterAll(async () => {
    await stack.stop().catch(() => undefined);
    rmSync(cwd, { recursive: true, force: true });
  });

  it('finds the development keys where the README sources them: the URL and keys, readable by the owner only', async () => {
    const file = join(dataDir, DEV_KEYS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { stdout } = await run('bash', ['-c', `source .data/${DEV_KEYS_FILE} && env`], { cwd });
    const env = Object.fromEntries(stdout.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(env).toMatchObject({
      INTENT_URL: stack.baseUrl,
      ADMIN_KEY: stack.secrets.adminKey,
      SDR_KEY: stack.secrets.sdrKey,
      MARKETING_KEY: stack.secrets.marketingKey,
    });
  });

  it('quotes a key the shell would otherwise split or expand', async () => {
    const odd = mkdtempSync(join(tmpdir(), 'intent-keys-'));
    try {
      writeDevKeys(odd, 'http://127.0.0.1:1', { ...stack.secrets, adminKey: `it's $HOME; "x"` });
      const { stdout } = await run('bash', ['-c', `source ${DEV_KEYS_FILE} && printf %s "$ADMIN_KEY"`], { cwd: odd });
      expect(stdout).toBe(`it's $HOME; "x"`);
    } finally {
      rmSync(odd, { recursive: true, force: true });
    }
  });

  const steps = walkthroughSteps(bashBlockUnder(README, WALKTHROUGH));

  it('has the steps a reader follows: sourcing the keys, two answers shown, one more call', () => {
    expect(steps.map((s) => s.answer !== undefined)).toEqual([true, true, false]);
    expect(steps[0]?.commands).toContain(`source .data/${DEV_KEYS_FILE}`);
  });

  for (const [i, step] of steps.entries()) {
    it(`step ${i + 1} answers what the README shows${step.answer ? `: ${step.answer.slice(0, 60)}...` : ''}`, async () => {
      for (const line of step.commands.split('\n')) if (/^(source|\.) /.test(line)) sourced.push(line);
      const earlier = sourced.filter((line) => !step.commands.includes(line));
      // The pipeline is asynchronous ("within a couple of seconds"): what the collector accepted is rolled up first.
      await stack.drain();
      const { stdout } = await run('bash', ['-e', '-c', [...earlier, step.commands].join('\n')], { cwd });
      const answer = JSON.parse(stdout);
      if (step.answer === undefined) {
        expect(answer).not.toHaveProperty('error');
        return;
      }
      expect(sampleMismatches(answer, parseSample(step.answer))).toEqual([]);
    });
  }
});

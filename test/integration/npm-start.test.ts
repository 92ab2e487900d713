import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { event, eventually } from './harness';

const ROOT = resolve(__dirname, '../..');

/** `npm start` as a user runs it: its own process, its printed URL and keys, Ctrl-C to stop. */
function start(dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/local/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', INTENT_DATA_DIR: dataDir, INTENT_ADMIN_KEY: 'ik_test_admin_key_for_npm_start' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const ready = eventually(async () => {
    const url = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    const sdrKey = /sdr:\*\s+(\S+)/.exec(output)?.[1];
    return url && sdrKey ? { url, sdrKey } : undefined;
  }, 30_000);
  return { child, ready, output: () => output };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'intent-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('runs the pipeline, stops cleanly on Ctrl-C, and starts again with its data', async () => {
    const first = start(dataDir);
    const { url, sdrKey } = await first.ready;
    expect(first.output()).toContain('<script async src=');
    expect(first.output()).toContain('ik_test_admin_key_for_npm_start');
    // The README's walk-through sources the address and keys from the data dir.
    const keysFile = join(dataDir, 'dev-keys.env');
    expect(first.output()).toContain(`source ${keysFile}`);
    expect(statSync(keysFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keysFile, 'utf8')).toContain(`export INTENT_URL='${url}'`);
    expect(readFileSync(keysFile, 'utf8')).toContain(`export SDR_KEY='${sdrKey}'`);
    const posted = await fetch(`${url}/v1/collect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        writeKey: 'wk_dev',
        batch: [
          event({ type: 'identify', anonymousId: 's1', traits: { email: 'ana@umbrella.example' } }),
          event({ type: 'track', event: 'pricing_view', anonymousId: 's1' }),
        ],
      }),
    });
    expect(posted.status).toBe(202);
    const queue = async (base: string) =>
      (await (await fetch(`${base}/v1/pods/default/queue`, { headers: { authorization: `Bearer ${sdrKey}` } })).json()) as {
        accounts: { domain: string }[];
      };
    await eventually(async () => ((await queue(url)).accounts.length ? true : undefined), 5_000);

    const exit = exited(first.child);
    first.child.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(first.output()).toMatch(/stopped cleanly; \d+ unconsumed messages saved/);

    const second = start(dataDir);
    try {
      const again = await second.ready;
      expect(second.output()).toMatch(/restored \d+ queued messages/);
      expect((await queue(again.url)).accounts.map((a) => a.domain)).toEqual(['umbrella.example']);
    } finally {
      const done = exited(second.child);
      second.child.kill('SIGINT');
      await done;
    }
  }, 90_000);
});

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoClient } from '../../scripts/demo/client';
import { generateDemo } from '../../scripts/demo/generate';
import { type DemoSetup, setUpDemo } from '../../scripts/demo/setup';
import { SITES } from '../../scripts/demo/sites';
import { eventually, startTestStack, stopTestStack, type TestStack } from './harness';

/**
 * `npm run demo` adds its configuration beside the stack's: what `npm start` printed (the
 * `wk_dev` snippet, the curl walk-through to the `default` pod) keeps working after it.
 */
describe('the demo’s configuration step beside the starter configuration', () => {
  let stack: TestStack;
  let setup: DemoSetup;
  const lines: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack();
    const data = generateDemo({ endDate: new Date(), accounts: 60, scale: 0.01 });
    setup = await setUpDemo(new DemoClient(stack.baseUrl, stack.secrets.adminKey), data, {
      backupDir: join(stack.dataDir, 'config-backups'),
      log: (line) => lines.push(line),
    });
  });
  afterAll(() => stopTestStack(stack));

  it('adds its sites and pods beside the starter’s, its pods before the catch-all default', async () => {
    const sites = await stack.api('/v1/config/sites', { key: stack.secrets.adminKey });
    expect(sites.body.sites.map((s: { id: string }) => s.id)).toEqual([...SITES.map((s) => s.id), 'dev']);
    expect(setup.pods.map((p) => p.id)).toEqual(['strategic', 'na-enterprise', 'emea', 'default']);
    expect(lines).toContainEqual(expect.stringMatching(/^sites: added .*; kept dev \(revision \d+\)$/));
  });

  it('says loudly which whole sections it replaced, and where their previous values are', () => {
    expect(lines).toContainEqual(expect.stringMatching(/^warning: icp: replaced the whole section/));
    expect(lines).toContainEqual(expect.stringMatching(/^warning: signals: replaced the whole section/));
    expect(setup.apply.backupFile && existsSync(setup.apply.backupFile)).toBe(true);
    expect(lines).toContainEqual(
      `the previous values of sites, topics, signals, icp, pods, audiences are in ${setup.apply.backupFile}; put them back with: npm run config:apply -- --replace ${setup.apply.backupFile}`,
    );
  });

  it('leaves the README walk-through working: wk_dev collects, and the hand-raiser reaches the default pod', async () => {
    const posted = await stack.api('/v1/collect', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        writeKey: 'wk_dev',
        batch: [
          { type: 'identify', messageId: 'readme-1', anonymousId: 'visitor-1', traits: { email: 'jane@acme.example' } },
          {
            type: 'track',
            event: 'pricing_view',
            messageId: 'readme-2',
            anonymousId: 'visitor-1',
            properties: { url: 'https://example.com/pricing' },
          },
        ],
      }),
    });
    expect(posted).toMatchObject({ status: 202, body: { accepted: 2, rejected: [] } });
    const entry = await eventually(async () => {
      const queue = await stack.api('/v1/pods/default/queue', { key: stack.secrets.sdrKey });
      return queue.body.accounts?.find((a: { domain: string }) => a.domain === 'acme.example');
    });
    expect(entry).toMatchObject({ stage: 'hand_raiser', fit: { tier: 'A' } });
  });
});

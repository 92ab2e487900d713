import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApplyResult, applyConfig, readConfigFile } from '../../scripts/lib/apply-config';
import { StackClient } from '../../scripts/lib/stack-client';
import { startTestStack, stopTestStack, type TestStack } from './harness';

const EXAMPLES = resolve(__dirname, '../../examples');
const exampleFiles = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.json'))
  .sort();

/** `npm run config:apply` on every file of examples/: each stays valid as the schemas change. */
describe('config:apply with the example configuration', () => {
  let stack: TestStack;
  let client: StackClient;
  const lines: string[] = [];
  const apply = (path: string, replace = false): Promise<ApplyResult> =>
    applyConfig(client, readConfigFile(path), {
      replace,
      backupDir: join(stack.dataDir, 'config-backups'),
      log: (line) => lines.push(line),
    });
  const ids = async (section: string) => {
    const value = (await client.getConfig(section)) as Record<string, { id: string }[]>;
    return (value[section] ?? []).map((e) => e.id);
  };

  beforeAll(async () => {
    stack = await startTestStack();
    client = new StackClient(stack.baseUrl, stack.secrets.adminKey);
  });
  afterAll(() => stopTestStack(stack));

  const backups: string[] = [];
  it.each(exampleFiles)('applies examples/%s: every section it changes is accepted', async (name) => {
    // applyConfig throws on any answer but 200, naming the section and the stack's error.
    const result = await apply(join(EXAMPLES, name));
    expect(result.plans.length).toBeGreaterThan(0);
    expect(result.plans.every((p) => p.changed)).toBe(true);
    expect(result.needsDeploy).toEqual([]);
    if (result.backupFile) backups.push(result.backupFile);
  });

  it('has added the examples beside the starter configuration, pods before its catch-all default', async () => {
    expect(await ids('sites')).toEqual(['dw-weekly', 'dev']);
    expect(await ids('pods')).toEqual(['strategic', 'na-enterprise', 'na', 'emea', 'apac', 'default']);
    expect(await ids('audiences')).toEqual(['warehousing-surge-a-b']);
    expect(lines).toContainEqual(expect.stringMatching(/^warning: icp: replaced the whole section/));
    expect(lines).toContainEqual(expect.stringMatching(/^pods: added strategic, na-enterprise, na, emea, apac; kept default/));
    // Locally each new pod got its SQS queue with the configuration.
    expect(stack.queues['pod-apac']).toBeDefined();
  });

  it('changes nothing when a file is applied again', async () => {
    for (const name of exampleFiles) {
      const result = await apply(join(EXAMPLES, name));
      expect(result.plans.map((p) => p.changed)).toEqual(result.plans.map(() => false));
      expect(result.backupFile).toBeUndefined();
    }
  });

  it('puts the starter configuration back from the backups, newest first, with --replace', async () => {
    for (const backup of backups.reverse()) await apply(backup, true);
    expect(await ids('sites')).toEqual(['dev']);
    expect(await ids('pods')).toEqual(['default']);
    expect(await ids('audiences')).toEqual([]);
    expect(await client.getConfig('icp')).toMatchObject({ industries: [], salesReadyTiers: ['A', 'B'] });
  });
});

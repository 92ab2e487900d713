import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, upsert } from './accounts-helpers';
import { startTestStack, stopTestStack, type TestStack } from './harness';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

/** Three closed-won software companies in the US on Snowflake, in a base that mostly is not. */
const BASE = [
  { domain: 'won1.example', industry: 'software', country: 'US', employees: 800, techStack: ['snowflake'] },
  { domain: 'won2.example', industry: 'Software', country: 'US', employees: 1200, techStack: ['snowflake', 'dbt'] },
  { domain: 'won3.example', industry: 'software', country: 'US', employees: 2500, techStack: ['snowflake'] },
  { domain: 'lost.example', industry: 'software', country: 'GB', employees: 40, techStack: ['postgres'] },
  { domain: 'school.example', industry: 'education', country: 'GB', employees: 300 },
  { domain: 'shop.example', industry: 'retail', country: 'DE', employees: 20000, techStack: ['oracle'] },
  { domain: 'bank.example', industry: 'financial services', country: 'FR', employees: 9000, techStack: ['oracle', 'dbt'] },
  { domain: 'farm.example', industry: 'agriculture', country: 'BR', employees: 60 },
  { domain: 'clinic.example', industry: 'healthcare', country: 'US', employees: 150 },
  { domain: 'mill.example', industry: 'manufacturing', country: 'DE', employees: 5000 },
  { domain: 'media.example', industry: 'media', country: 'GB', employees: 25 },
  { domain: 'hotel.example', industry: 'hospitality', country: 'ES', employees: 700 },
];

describe('ICP suggestion from closed-won accounts', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
    expect((await upsert(stack, BASE)).body).toMatchObject({ upserted: BASE.length, rejected: [] });
    for (const domain of ['won1.example', 'won2.example', 'won3.example']) {
      expect(
        (await send(stack, 'POST', `/v1/accounts/${domain}/feedback`, { outcome: 'closed_won', sdr: 'crm-sync' })).status,
      ).toBe(201);
    }
    expect((await send(stack, 'POST', '/v1/accounts/lost.example/feedback', { outcome: 'closed_lost' })).status).toBe(201);
  });
  afterAll(() => stopTestStack(stack));

  it('proposes the criteria that set the won accounts apart from the base, with evidence', async () => {
    const res = await send(stack, 'GET', '/v1/icp/suggestion');
    expect(res.status).toBe(200);
    expect(res.body.basedOn).toBe(3);
    expect(res.body.icp).toMatchObject({ industries: ['software'], countries: ['US'], techStack: { bonus: ['snowflake'] } });
    expect(res.body.icp.employees.min).toBeLessThanOrEqual(1200);
    expect(res.body.icp.employees.max).toBeGreaterThanOrEqual(1200);
    const industry = res.body.evidence.find((e: { criterion: string }) => e.criterion === 'industry');
    expect(industry).toMatchObject({ value: 'software', lift: expect.any(Number) });
    expect(industry.won).toMatch(/3 of 3 won accounts/);
    expect(industry.base).toMatch(/4 of 12 accounts in the base/);
    // The suggestion is in the shape of the icp section: it can be applied as it is.
    expect((await send(stack, 'PUT', '/v1/config/icp', res.body.icp)).status).toBe(200);
    expect((await send(stack, 'GET', '/v1/icp/suggestion', undefined, stack.secrets.marketingKey)).status).toBe(403);
  });

  it('prints the same suggestion with npm run icp:suggest, reading the admin key from the data dir', async () => {
    const { INTENT_ADMIN_KEY: _k, ...env } = process.env;
    const port = new URL(stack.baseUrl).port;
    const { stdout } = await run(resolve(ROOT, 'node_modules/.bin/tsx'), ['scripts/icp-suggest.ts'], {
      cwd: ROOT,
      env: { ...env, PORT: port, INTENT_DATA_DIR: stack.dataDir },
    });
    expect(JSON.parse(stdout)).toEqual((await send(stack, 'GET', '/v1/icp/suggestion')).body);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectAndDrain, configure, consumePodQueue, putCsv, queueDomains, upsert, visitEvents } from './accounts-helpers';
import { configureTopics, startTestStack, stopTestStack, type TestStack } from './harness';

/**
 * Firmographics, fit and routing through the API, on the DOMAIN.md scenarios. The ICP and the
 * pods are configured before any event, so the rollup consumer's 5 s config cache never sees
 * the defaults. Pods: `na` (US) first, then `default` (everyone else, the pod with an SQS queue).
 */
describe('accounts: firmographics upsert, fit, routing and pod queues', () => {
  let stack: TestStack;
  let admin: string;
  const get = (domain: string) => stack.api(`/v1/accounts/${domain}`, { key: admin });

  beforeAll(async () => {
    stack = await startTestStack();
    admin = stack.secrets.adminKey;
    await configureTopics(stack, ['warehousing']);
    await configure(stack, 'icp', {
      employees: { min: 200, max: 10000 },
      industries: ['software'],
      countries: ['US', 'GB'],
      exclude: { domains: ['rival.example'] },
    });
    await configure(stack, 'pods', {
      pods: [
        { id: 'na', name: 'North America', match: { countries: ['US'] } },
        { id: 'default', name: 'Everyone else', match: {} },
      ],
    });
  });
  afterAll(() => stopTestStack(stack));

  it('names the columns it left out, a misspelt one among them, and stores the rest of each row', async () => {
    const res = await putCsv(stack, '/v1/accounts', 'domain,name,employes,Lead Source\nmisspelt.example,Misspelt,500,Webinar\n');
    expect(res.body).toMatchObject({ upserted: 1, rejected: [], ignoredFields: ['employes', 'Lead Source'] });
    const account = (await get('misspelt.example')).body;
    expect(account.name).toBe('Misspelt');
    expect(account.employees ?? null).toBeNull();
  });

  it('stores good CSV rows and rejects bad ones by their 0-based data-row index', async () => {
    const csv = [
      'domain,name,employees,revenueUsd,industry,country,techStack,crmId',
      'https://www.Big.example/,Big Co,1200,300000000,Software,us,Snowflake; dbt,0015000000',
      'not a domain,Bad,10,,,,,',
      'small.example,Small,eight,,,,,',
      'blank.example,,,,,,,',
      // A cell too many (an unquoted comma): that row alone is refused.
      'ragged.example,Ragged, Inc,10,,,,,',
    ].join('\n');
    const res = await putCsv(stack, '/v1/accounts', csv);
    expect(res.status).toBe(200);
    expect(res.body.upserted).toBe(2);
    expect(res.body).not.toHaveProperty('ignoredFields');
    expect(res.body.rejected.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([
      [1, 'invalid_domain'],
      [2, 'invalid_field'],
      [4, 'invalid_row'],
    ]);
    expect(res.body.rejected[1].message).toMatch(/^employees: /);
    expect(res.body.rejected[2].message).toMatch(/^the row could not be read: .*columns length is 8, got 9/);

    const big = await get('big.example');
    expect(big.status).toBe(200);
    expect(big.body).toMatchObject({
      domain: 'big.example',
      name: 'Big Co',
      employees: 1200,
      revenueUsd: 300000000,
      country: 'US',
      techStack: ['snowflake', 'dbt'],
      crmId: '0015000000',
      intent: { stage: 'cold' },
      fit: { tier: 'A' },
      pod: 'na',
      salesReady: false,
    });
    // Blank cells are unknown, never zero.
    const blank = await get('blank.example');
    expect(blank.body.employees).toBeUndefined();
    expect(blank.body.fit.reasons.map((r: { status: string }) => r.status)).toContain('unknown');
  });

  it('upserts JSON rows: a never-seen account becomes visible as cold, duplicates and junk are rejected', async () => {
    expect((await get('fresh.example')).status).toBe(404);
    const res = await upsert(stack, [
      { domain: 'Fresh.example', name: 'Fresh', employees: 500, industry: 'software', country: 'GB' },
      { domain: 'www.fresh.example', employees: 1 },
      { employees: 5 },
      'junk',
      { domain: 'neg.example', employees: -3 },
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ upserted: 1 });
    expect(res.body.rejected.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([
      [1, 'duplicate_domain'],
      [2, 'invalid_domain'],
      [3, 'invalid_row'],
      [4, 'invalid_field'],
    ]);
    const fresh = await get('fresh.example');
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({
      domain: 'fresh.example',
      name: 'Fresh',
      intent: { stage: 'cold' },
      fit: { tier: 'A' },
      pod: 'default',
      salesReady: false,
    });
    const bad = await stack.api('/v1/accounts', {
      method: 'PUT',
      key: admin,
      headers: { 'content-type': 'application/json' },
      body: '{"accounts": 3}',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('accounts');
    const marketing = await stack.api('/v1/accounts', {
      method: 'PUT',
      key: stack.secrets.marketingKey,
      headers: { 'content-type': 'application/json' },
      body: '{"accounts": []}',
    });
    expect(marketing.status).toBe(403);
  });

  it('re-scores an account with intent when its firmographics arrive, and keeps its intent', async () => {
    await collectAndDrain(stack, visitEvents('later.example', 'ann', ['pricing_view']));
    const before = await get('later.example');
    expect(before.body).toMatchObject({ intent: { stage: 'hand_raiser' }, salesReady: false });
    expect(before.body.fit.tier).toBe('C');
    await consumePodQueue(stack, 'default');

    const res = await upsert(stack, [
      { domain: 'later.example', name: 'Later Ltd', employees: 800, industry: 'software', country: 'GB' },
    ]);
    expect(res.body).toMatchObject({ upserted: 1, rejected: [], rescored: 1 });
    const after = await get('later.example');
    expect(after.body).toMatchObject({
      name: 'Later Ltd',
      fit: { tier: 'A' },
      salesReady: true,
      pod: 'default',
      intent: before.body.intent,
    });
    expect(await queueDomains(stack, 'default')).toContain('later.example');
    const messages = await consumePodQueue(stack, 'default');
    expect(messages).toEqual([expect.objectContaining({ type: 'account.qualified', domain: 'later.example', podId: 'default' })]);

    // The same row again changes nothing: no re-score, no message.
    const again = await upsert(stack, [
      { domain: 'later.example', name: 'Later Ltd', employees: 800, industry: 'software', country: 'GB' },
    ]);
    expect(again.body).toMatchObject({ upserted: 1, rescored: 0 });
    expect(await consumePodQueue(stack, 'default')).toEqual([]);
  });

  it('never makes the download-everything 8-person startup outside the ICP sales-ready', async () => {
    await upsert(stack, [{ domain: 'tiny.example', name: 'Tiny', employees: 8, industry: 'software', country: 'US' }]);
    const signals = [
      'content_download',
      'content_download',
      'content_read',
      'content_read',
      'content_read',
      'webinar_registration',
    ];
    await collectAndDrain(stack, [
      ...visitEvents('tiny.example', 'junior', signals, ['warehousing']),
      ...visitEvents('tiny.example', 'intern', signals, ['warehousing']),
    ]);
    const tiny = await get('tiny.example');
    expect(tiny.body.intent.stage).toBe('surging');
    expect(tiny.body.salesReady).toBe(false);
    expect(['C', 'D']).toContain(tiny.body.fit.tier);
    expect(tiny.body.explanation.join(' ')).toMatch(/not one of the sales-ready tiers/);
    expect(await queueDomains(stack, 'na')).not.toContain('tiny.example');
  });

  it('ranks the better-fit account higher in the pod queue for equal intent', async () => {
    await upsert(stack, [
      { domain: 'best.example', employees: 2000, industry: 'software', country: 'GB' },
      { domain: 'good.example', employees: 2000, industry: 'finance', country: 'GB' },
    ]);
    await collectAndDrain(stack, [
      ...visitEvents('good.example', 'gil', ['pricing_view']),
      ...visitEvents('best.example', 'bea', ['pricing_view']),
    ]);
    const [best, good] = await Promise.all([get('best.example'), get('good.example')]);
    expect(best.body.fit.tier).toBe('A');
    expect(good.body.fit.tier).toBe('B');
    expect(best.body.intent.score).toBe(good.body.intent.score);
    expect(best.body.priority).toBeGreaterThan(good.body.priority);
    const queue = await queueDomains(stack, 'default');
    expect(queue.indexOf('best.example')).toBeGreaterThanOrEqual(0);
    expect(queue.indexOf('best.example')).toBeLessThan(queue.indexOf('good.example'));
  });

  it('never pushes a competitor, whatever its intent', async () => {
    await upsert(stack, [{ domain: 'rival.example', employees: 3000, industry: 'software', country: 'US' }]);
    await collectAndDrain(
      stack,
      visitEvents(
        'rival.example',
        'spy',
        ['demo_request', 'pricing_view', 'content_read', 'content_read', 'content_read'],
        ['pricing'],
      ),
    );
    const rival = await get('rival.example');
    expect(rival.body).toMatchObject({ salesReady: false, fit: { tier: 'D', score: 0 }, queuedIn: null });
    expect(rival.body.fit.reasons[0].status).toBe('excluded');
    expect(await queueDomains(stack, 'na')).not.toContain('rival.example');
    expect(await queueDomains(stack, 'default')).not.toContain('rival.example');
  });

  it('routes a sales-ready account to exactly one pod, the first whose rules match', async () => {
    await upsert(stack, [{ domain: 'usco.example', employees: 5000, industry: 'software', country: 'US' }]);
    await collectAndDrain(stack, visitEvents('usco.example', 'sam', ['demo_request']));
    expect((await get('usco.example')).body).toMatchObject({ pod: 'na', queuedIn: 'na', salesReady: true });
    expect(await queueDomains(stack, 'na')).toContain('usco.example');
    expect(await queueDomains(stack, 'default')).not.toContain('usco.example');
  });

  it('sends no pod message when a re-score changes nothing', async () => {
    await consumePodQueue(stack, 'default');
    await stack.runSchedule('rescore');
    // A replayed visit (duplicate message ids) re-scores the account to the same result.
    const replay = visitEvents('best.example', 'bea2', []);
    await collectAndDrain(stack, replay);
    await collectAndDrain(stack, replay);
    expect(await consumePodQueue(stack, 'default')).toEqual([]);
    expect(await queueDomains(stack, 'default')).toContain('best.example');
  });
});

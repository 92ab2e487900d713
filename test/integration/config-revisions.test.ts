import { DeleteItemCommand, GetItemCommand, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configRevisionKey } from '../../packages/store/src/keys';
import {
  collectAndDrain,
  configure,
  consumePodQueue,
  queueDomains,
  send,
  TWO_PODS,
  upsert,
  visitEvents,
} from './accounts-helpers';
import { jobOf, SERVER_KEY, startTestStack, stopTestStack, type TestStack, waitForJob } from './harness';

/**
 * Configuration history through the API: every PUT a numbered, attributed revision; a restore
 * applies an earlier value as a new revision and re-scores as a PUT of it would; a preview
 * names who would enter and leave each pod queue and audience, and stores nothing.
 * Pods `na` (US) and `default` (everyone else); no ICP, so every hand-raiser is sales-ready.
 */
describe('configuration revisions, restore and preview', () => {
  let stack: TestStack;
  let revops: { id: string; key: string };
  const ACCOUNTS = [
    { domain: 'acme.example', name: 'Acme', country: 'US' },
    { domain: 'initech.example', name: 'Initech', country: 'US' },
    { domain: 'globex.example', name: 'Globex', country: 'GB' },
  ];
  const admin = () => stack.secrets.adminKey;
  const put = (section: string, value: unknown, key = admin()) => send(stack, 'PUT', `/v1/config/${section}`, value, key);
  const preview = (section: string, value: unknown, query = '') =>
    send(stack, 'POST', `/v1/config/${section}/preview${query}`, value);
  const settled = async (res: { status: number; body: any }) => {
    expect(res.status).toBe(200);
    const job = jobOf(res.body);
    if (job) expect((await waitForJob(stack, job)).status).toBe('done');
    return res.body;
  };
  /** Every item of the table, in key order. */
  const everyItem = async () => {
    const table = (await stack.dynamo.send(new ListTablesCommand({}))).TableNames?.[0];
    const items: Record<string, unknown>[] = [];
    let start: Record<string, any> | undefined;
    do {
      const out = await stack.dynamo.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }));
      items.push(...(out.Items ?? []).map((i) => unmarshall(i)));
      start = out.LastEvaluatedKey;
    } while (start);
    return items.sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
  };

  beforeAll(async () => {
    stack = await startTestStack();
    await configure(stack, 'pods', TWO_PODS);
    await configure(stack, 'audiences', { audiences: [{ id: 'tier-ab', name: 'Tier A/B', filter: { tiers: ['A', 'B'] } }] });
    await upsert(stack, ACCOUNTS);
    await collectAndDrain(
      stack,
      ACCOUNTS.flatMap((a) => visitEvents(a.domain, 'buyer', ['pricing_view'])),
    );
    const created = await send(stack, 'POST', '/v1/keys', { name: 'revops lead', scopes: ['admin'] });
    revops = { id: created.body.id, key: created.body.key };
  });
  afterAll(() => stopTestStack(stack));

  it('numbers every PUT of a section as a revision and records who made it and when', async () => {
    const t0 = Date.now();
    // The second change's re-score supersedes the first's: only the last is waited for.
    const first = (await put('icp', {})).body;
    const second = await settled(await put('icp', { exclude: { domains: ['acme.example'] } }, revops.key));
    expect([first.revision, second.revision]).toEqual([1, 2]);
    expect(await queueDomains(stack, 'na')).toEqual(['initech.example']);

    const listed = await send(stack, 'GET', '/v1/config/icp/revisions', undefined, stack.secrets.marketingKey);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([
      { revision: 2, at: expect.any(String), by: { keyId: revops.id, name: 'revops lead' } },
      { revision: 1, at: expect.any(String), by: { keyId: 'bootstrap-admin', name: 'bootstrap admin key' } },
    ]);
    for (const r of listed.body) expect(Date.parse(r.at)).toBeGreaterThanOrEqual(t0 - 1000);
    expect(Date.parse(listed.body[0].at)).toBeGreaterThanOrEqual(Date.parse(listed.body[1].at));

    // Sections are numbered apart: pods had its own first revision in beforeAll.
    const pods = await send(stack, 'GET', '/v1/config/pods/revisions');
    expect(pods.body.map((r: { revision: number }) => r.revision)).toEqual([1]);
    expect((await send(stack, 'GET', '/v1/config/icp/revisions', undefined, stack.secrets.sdrKey)).status).toBe(403);
  });

  it('shows one revision with the value it stored, server write keys masked', async () => {
    const one = await send(stack, 'GET', '/v1/config/icp/revisions/2', undefined, stack.secrets.marketingKey);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ section: 'icp', revision: 2, restorable: true, by: { keyId: revops.id } });
    expect(one.body.value).toEqual((await send(stack, 'GET', '/v1/config/icp')).body);

    const sites = await settled(
      await put('sites', { sites: [{ id: 'dev', name: 'Development site', writeKey: 'wk_dev', serverWriteKey: SERVER_KEY }] }),
    );
    const shown = await send(stack, 'GET', `/v1/config/sites/revisions/${sites.revision}`);
    expect(JSON.stringify(shown.body)).not.toContain(SERVER_KEY);
    expect(shown.body.value).toEqual((await send(stack, 'GET', '/v1/config/sites')).body);
  });

  it('pages the list newest first with ?limit= and a Link to the next page', async () => {
    // Each answers at once; their re-scores supersede one another and end before the next test waits for its own.
    for (const claimHours of [10, 11, 12]) expect((await put('sla', { claimHours })).status).toBe(200);
    const pages: number[][] = [];
    let path: string | undefined = '/v1/config/sla/revisions?limit=2';
    while (path) {
      const res: Response = await fetch(`${stack.baseUrl}${path}`, { headers: { authorization: `Bearer ${admin()}` } });
      expect(res.status).toBe(200);
      pages.push(((await res.json()) as { revision: number }[]).map((r) => r.revision));
      path = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    }
    expect(pages).toEqual([[3, 2], [1]]);
  });

  it('still lists a revision whose history item was lost after its section was stored, and the next PUT writes it again', async () => {
    const table = (await stack.dynamo.send(new ListTablesCommand({}))).TableNames?.[0];
    const listed = (await send(stack, 'GET', '/v1/config/sla/revisions?limit=1')).body;
    const latest = (await send(stack, 'GET', `/v1/config/sla/revisions/${listed[0].revision}`)).body;
    await stack.dynamo.send(
      new DeleteItemCommand({ TableName: table, Key: marshall(configRevisionKey('sla', listed[0].revision)) }),
    );
    expect((await send(stack, 'GET', '/v1/config/sla/revisions?limit=1')).body).toEqual(listed);
    expect((await send(stack, 'GET', `/v1/config/sla/revisions/${listed[0].revision}`)).body).toEqual(latest);

    expect((await put('sla', { claimHours: 13 })).status).toBe(200);
    const key = marshall(configRevisionKey('sla', listed[0].revision));
    const item = await stack.dynamo.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }));
    expect(item.Item && unmarshall(item.Item)).toMatchObject({ revision: listed[0].revision, value: latest.value });
  });

  it('restores an earlier revision as a new one: the exact section comes back and accounts are re-scored', async () => {
    const before = (await send(stack, 'GET', '/v1/config/icp/revisions/1')).body.value;
    const restored = await settled(await send(stack, 'POST', '/v1/config/icp/revisions/1/restore', undefined, revops.key));
    expect(restored).toMatchObject({ section: 'icp', revision: 3, restoredFrom: 1, rescore: { job: expect.any(String) } });
    expect((await send(stack, 'GET', '/v1/config/icp')).body).toEqual(before);
    expect(restored.value).toEqual(before);
    // Acme was excluded by revision 2; under revision 1's ICP it is back in its pod's queue.
    expect(await queueDomains(stack, 'na')).toEqual(expect.arrayContaining(['acme.example', 'initech.example']));
    const listed = await send(stack, 'GET', '/v1/config/icp/revisions?limit=1');
    expect(listed.body).toEqual([
      { revision: 3, at: expect.any(String), by: { keyId: revops.id, name: 'revops lead' }, restoredFrom: 1 },
    ]);
  });

  it('restores pods like a PUT: a pod the revision names gets its queue (locally) and its accounts', async () => {
    // A revision naming a pod this stack never made a queue for (stored past the API, which would make one).
    const apac = { pods: [{ id: 'apac', name: 'APAC', match: { countries: ['GB'] } }, ...TWO_PODS.pods] };
    const seeded = await stack.store.config.put('pods', apac as never, new Date());
    expect((await put('pods', TWO_PODS)).status).toBe(200);
    expect(stack.queues['pod-apac']).toBeUndefined();

    const again = await settled(await send(stack, 'POST', `/v1/config/pods/revisions/${seeded}/restore`));
    expect(again).toMatchObject({ value: apac, restoredFrom: seeded });
    expect(again.needsDeploy).toEqual([]);
    expect(stack.queues['pod-apac']).toBeDefined();
    expect(await queueDomains(stack, 'apac')).toEqual(['globex.example']);
    expect(await queueDomains(stack, 'default')).toEqual([]);
    const history = await send(stack, 'GET', '/v1/config/pods/revisions');
    // The seeded revision was written past the API: nobody is recorded as its author.
    expect(history.body.find((r: { revision: number }) => r.revision === seeded).by).toBeNull();
    await settled(await put('pods', TWO_PODS));
  });

  it('previews a candidate: who would enter and leave each pod queue and audience, storing nothing', async () => {
    // What the pods' integrations got so far, taken off, so anything a preview sent would show.
    await consumePodQueue(stack, 'na');
    await consumePodQueue(stack, 'default');
    const stored = await everyItem();

    const icp = await preview('icp', { exclude: { domains: ['acme.example', 'globex.example'] } });
    expect(icp.status).toBe(200);
    expect(icp.body).toEqual({
      section: 'icp',
      pods: {
        default: { enter: [], leave: ['globex.example'], entering: 0, leaving: 1 },
        na: { enter: [], leave: ['acme.example'], entering: 0, leaving: 1 },
      },
      audiences: { 'tier-ab': { join: [], leave: ['acme.example', 'globex.example'], joining: 0, leaving: 2 } },
      scanned: 3,
      truncated: false,
      // No push has feedback yet: the calibration backtest has nothing to judge (test/integration/calibration.test.ts).
      backtest: {
        window: expect.objectContaining({ truncated: false }),
        current: expect.objectContaining({ pushed: { value: 0, n: 0 } }),
        candidate: expect.objectContaining({ pushed: { value: 0, n: 0 } }),
      },
    });

    const pods = await preview('pods', { pods: [{ id: 'emea', name: 'EMEA', match: { countries: ['GB'] } }, ...TWO_PODS.pods] });
    expect(pods.body.pods).toEqual({
      default: { enter: [], leave: ['globex.example'], entering: 0, leaving: 1 },
      emea: { enter: ['globex.example'], leave: [], entering: 1, leaving: 0 },
    });
    expect(pods.body.audiences).toEqual({});

    const audiences = await preview('audiences', {
      audiences: [{ id: 'us', name: 'US accounts', filter: { pods: ['na'] } }],
    });
    expect(audiences.body.pods).toEqual({});
    expect(audiences.body.audiences).toEqual({
      'tier-ab': { join: [], leave: ['acme.example', 'globex.example', 'initech.example'], joining: 0, leaving: 3 },
      us: { join: ['acme.example', 'initech.example'], leave: [], joining: 2, leaving: 0 },
    });

    // The current configuration itself moves nobody.
    const same = await preview('icp', (await send(stack, 'GET', '/v1/config/icp')).body);
    expect(same.body).toMatchObject({ pods: {}, audiences: {}, scanned: 3, truncated: false });

    expect(await everyItem()).toEqual(stored);
    expect(await consumePodQueue(stack, 'na')).toEqual([]);
    expect(await consumePodQueue(stack, 'default')).toEqual([]);
  });

  it('bounds a preview with ?limit=: a signed cursor for the same candidate walks on to the same answer', async () => {
    const candidate = { exclude: { domains: ['acme.example', 'globex.example'] } };
    const left: string[] = [];
    let scanned = 0;
    let query = '?limit=1';
    for (let requests = 0; requests < 40; requests++) {
      const page = await preview('icp', candidate, query);
      expect(page.status).toBe(200);
      expect(page.body.scanned).toBeLessThanOrEqual(1);
      scanned += page.body.scanned;
      for (const pod of Object.values(page.body.pods) as { leave: string[] }[]) left.push(...pod.leave);
      if (!page.body.truncated) break;
      query = `?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`;
    }
    expect(scanned).toBe(3);
    expect(left.sort()).toEqual(['acme.example', 'globex.example']);

    const first = await preview('icp', candidate, '?limit=1');
    const cursor = encodeURIComponent(first.body.nextCursor);
    const other = await preview('icp', {}, `?cursor=${cursor}`);
    expect(other.status).toBe(400);
    expect(other.body.error).toMatchObject({ code: 'invalid_cursor', details: [{ path: 'cursor' }] });
    const otherSection = await preview('sla', {}, `?cursor=${cursor}`);
    expect(otherSection.body.error.code).toBe('invalid_cursor');
    const forged = await preview('icp', candidate, `?cursor=${cursor.replace(/^./, (c) => (c === 'e' ? 'f' : 'e'))}`);
    expect(forged.body.error.code).toBe('invalid_cursor');
  });

  it('answers bad input with the contract’s error shape', async () => {
    const expectError = (res: { status: number; body: any }, status: number, code: string) => {
      expect(res.status).toBe(status);
      expect(res.body.error).toMatchObject({ code, message: expect.any(String) });
      return res.body.error;
    };
    expectError(await send(stack, 'GET', '/v1/config/nope/revisions'), 404, 'not_found');
    expectError(await send(stack, 'GET', '/v1/config/nope/revisions/1'), 404, 'not_found');
    expectError(await send(stack, 'POST', '/v1/config/nope/revisions/1/restore'), 404, 'not_found');
    expectError(await preview('nope', {}), 404, 'not_found');
    for (const n of ['0', '-1', 'abc', '1.5', '1e3', '01', '9999999999999']) {
      const error = expectError(await send(stack, 'POST', `/v1/config/icp/revisions/${n}/restore`), 400, 'invalid_request');
      expect(error.details).toEqual([{ path: 'n', message: expect.any(String) }]);
      expectError(await send(stack, 'GET', `/v1/config/icp/revisions/${n}`), 400, 'invalid_request');
    }
    expectError(await send(stack, 'POST', '/v1/config/icp/revisions/99/restore'), 404, 'not_found');
    expectError(await send(stack, 'GET', '/v1/config/audiences/revisions/99'), 404, 'not_found');
    expect((await send(stack, 'GET', '/v1/config/icp/revisions?limit=0')).body.error.details[0].path).toBe('limit');
    expect((await send(stack, 'GET', '/v1/config/icp/revisions?before=x')).body.error.details[0].path).toBe('before');

    // A candidate is validated exactly as a PUT of it: same 400, same field paths.
    const invalid = { pods: [{ id: 'Bad Id', name: 'x' }] };
    const previewed = expectError(await preview('pods', invalid), 400, 'invalid_request');
    expect(previewed).toEqual(expectError(await put('pods', invalid), 400, 'invalid_request'));
    expect(previewed.details[0].path).toBe('pods.0.id');
    // A misspelt field is named itself, not the pod that holds it.
    const misspelt = expectError(await put('pods', { pods: [{ id: 'ok', name: 'x', matches: {} }] }), 400, 'invalid_request');
    expect(misspelt.details).toEqual([{ path: 'pods.0.matches', message: 'unknown field "matches"' }]);
    expectError(await send(stack, 'POST', '/v1/config/icp/preview', undefined), 400, 'invalid_json');
    expectError(await preview('icp', {}, '?limit=100000'), 400, 'invalid_request');

    // Restoring and previewing are admin's; marketing may read the history.
    const marketing = stack.secrets.marketingKey;
    expectError(await send(stack, 'POST', '/v1/config/icp/revisions/1/restore', undefined, marketing), 403, 'insufficient_scope');
    expectError(await send(stack, 'POST', '/v1/config/icp/preview', {}, marketing), 403, 'insufficient_scope');
    expectError(await send(stack, 'GET', '/v1/config/icp/revisions', undefined, 'ik_unknown'), 401, 'unauthorized');
  });
});

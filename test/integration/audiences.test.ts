import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectAndDrain, configure, send, upsert, visitEvents } from './accounts-helpers';
import { startTestStack, stopTestStack, type TestStack, take } from './harness';

/**
 * Marketing audiences on the real stack: membership follows account changes (hand-raises,
 * moves between pods, opportunity feedback) and definition changes; the delta sync answers
 * exactly the net change since a cursor, replays answer the same again; exports and messages.
 * Pods: `na` (US) and `default` (everyone else). No ICP: every account is tier B.
 */
describe('marketing audiences', () => {
  let stack: TestStack;
  let marketing: string;
  const hot = (pods: string[]) => ({
    audiences: [
      {
        id: 'hot',
        name: 'Hot outside NA',
        filter: { stages: ['surging', 'hand_raiser'], pods, excludeOutcomes: ['opportunity', 'closed_won'] },
      },
    ],
  });
  const members = (query = '') => stack.api(`/v1/audiences/hot/members${query}`, { key: marketing });
  const delta = async (cursor: string) => {
    const res = await members(`?cursor=${encodeURIComponent(cursor)}`);
    expect(res.status).toBe(200);
    const domains = (list: { domain: string }[]) => list.map((m) => m.domain).sort();
    return {
      added: domains(res.body.added),
      removed: domains(res.body.removed),
      cursor: res.body.cursor as string,
      body: res.body,
    };
  };
  const handRaise = (...domains: string[]) =>
    collectAndDrain(
      stack,
      domains.flatMap((d) => visitEvents(d, 'rep', ['pricing_view'])),
    );
  const names: Record<string, string> = { 'bounce.example': 'Bounce', 'brief.example': 'Brief' };
  const moveTo = (domain: string, country: string) => upsert(stack, [{ domain, name: names[domain], country }]);
  const consumeAudienceQueue = async () => {
    const out = (await take(stack, stack.queues.audiences?.url as string)) as { type: string; domain: string }[];
    for (const m of out) expect(m).toMatchObject({ audienceId: 'hot', name: expect.any(String), at: expect.any(String) });
    return out.map(({ type, domain }) => `${type} ${domain}`).sort();
  };
  let c0: string;
  let c1: string;
  let c2: string;

  beforeAll(async () => {
    stack = await startTestStack();
    marketing = stack.secrets.marketingKey;
    await configure(stack, 'pods', {
      pods: [
        { id: 'na', name: 'North America', match: { countries: ['US'] } },
        { id: 'default', name: 'Everyone else', match: {} },
      ],
    });
    const res = await upsert(stack, [
      { domain: 'acme.example', name: 'Acme, "The" Corp', country: 'GB', industry: 'Software' },
      { domain: 'bounce.example', name: 'Bounce', country: 'GB' },
      { domain: 'late.example', name: 'Late', country: 'GB' },
      { domain: 'brief.example', name: 'Brief', country: 'US' },
    ]);
    expect(res.body.rejected).toEqual([]);
    await configure(stack, 'audiences', hot(['default']));
  });
  afterAll(() => stopTestStack(stack));

  it('starts empty, with a cursor, and needs the marketing scope', async () => {
    const res = await members();
    expect(res.status).toBe(200);
    expect(res.body.members).toEqual([]);
    c0 = res.body.cursor;
    const list = await stack.api('/v1/audiences', { key: marketing });
    expect(list.body).toEqual({
      audiences: [{ id: 'hot', name: 'Hot outside NA', filter: expect.objectContaining({ pods: ['default'] }), size: 0 }],
    });
    expect((await stack.api('/v1/audiences', { key: stack.secrets.sdrKey })).status).toBe(403);
    expect((await stack.api('/v1/audiences', { key: stack.secrets.adminKey })).status).toBe(200);
    expect((await stack.api('/v1/audiences/nope/members', { key: marketing })).status).toBe(404);
    const bad = await members('?cursor=not-a-cursor');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_cursor');
  });

  it('adds hand-raisers routed to the filtered pod, publishes each join, and answers the delta exactly', async () => {
    await handRaise('acme.example', 'bounce.example', 'brief.example');
    const d = await delta(c0);
    expect(d).toMatchObject({ added: ['acme.example', 'bounce.example'], removed: [] });
    expect(d.body.added.find((m: { domain: string }) => m.domain === 'acme.example')).toMatchObject({
      name: 'Acme, "The" Corp',
      tier: 'B',
      stage: 'hand_raiser',
      priority: expect.any(Number),
      topics: [],
    });
    c1 = d.cursor;
    expect(await consumeAudienceQueue()).toEqual(['audience.member_added acme.example', 'audience.member_added bounce.example']);
    expect(await delta(c1)).toMatchObject({ added: [], removed: [], cursor: c1 });
    const account = await send(stack, 'GET', '/v1/accounts/acme.example');
    expect(account.body.audiences).toEqual(['hot']);
    expect((await send(stack, 'GET', '/v1/accounts/brief.example')).body.audiences).toEqual([]);
  });

  it('nets out a member that leaves and comes back, and an account that joins and leaves, between two syncs', async () => {
    await moveTo('bounce.example', 'US'); // leaves: now routed to na
    await moveTo('bounce.example', 'GB'); // and comes back
    await moveTo('brief.example', 'GB'); // joins
    await moveTo('brief.example', 'US'); // and leaves
    expect((await send(stack, 'POST', '/v1/accounts/acme.example/feedback', { outcome: 'opportunity' })).status).toBe(201);
    await handRaise('late.example');
    const d = await delta(c1);
    expect(d).toMatchObject({ added: ['late.example'], removed: ['acme.example'] });
    expect(d.body.removed).toEqual([{ domain: 'acme.example', name: 'Acme, "The" Corp' }]);
    c2 = d.cursor;
    expect(await consumeAudienceQueue()).toEqual([
      'audience.member_added bounce.example',
      'audience.member_added brief.example',
      'audience.member_added late.example',
      'audience.member_removed acme.example',
      'audience.member_removed bounce.example',
      'audience.member_removed brief.example',
    ]);
    const full = await members();
    expect(full.body.members.map((m: { domain: string }) => m.domain)).toEqual(['bounce.example', 'late.example']);
    expect((await stack.api('/v1/audiences', { key: marketing })).body.audiences[0].size).toBe(2);
  });

  it('answers a replayed cursor the same again, plus only what changed since', async () => {
    expect(await delta(c1)).toMatchObject({ added: ['late.example'], removed: ['acme.example'], cursor: c2 });
    // From the start: acme joined and left (neither), bounce left and came back (added once).
    expect(await delta(c0)).toMatchObject({ added: ['bounce.example', 'late.example'], removed: [], cursor: c2 });
  });

  it('re-materialises on a definition change, writing only the differences', async () => {
    await configure(stack, 'audiences', hot(['default', 'na']));
    const d = await delta(c2);
    expect(d).toMatchObject({ added: ['brief.example'], removed: [] });
    expect(await consumeAudienceQueue()).toEqual(['audience.member_added brief.example']);
    expect(await delta(d.cursor)).toMatchObject({ added: [], removed: [] });
    // The same definition again changes nothing.
    await configure(stack, 'audiences', hot(['default', 'na']));
    expect(await delta(d.cursor)).toMatchObject({ added: [], removed: [] });
    expect(await consumeAudienceQueue()).toEqual([]);
    expect((await send(stack, 'GET', '/v1/accounts/brief.example')).body.audiences).toEqual(['hot']);
  });

  it('exports the LinkedIn template with RFC 4180 quoting and a warning under 300 companies', async () => {
    await upsert(stack, [{ domain: 'late.example', name: 'Late, "Quoted" Ltd', country: 'GB' }]);
    const res = await fetch(`${stack.baseUrl}/v1/audiences/hot/export.csv`, {
      headers: { authorization: `Bearer ${marketing}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('x-intent-warning')).toBe('LinkedIn matches lists of 300 to 300,000 companies; this audience has 3');
    const text = await res.text();
    expect(text.split('\r\n')[0]).toBe(
      'companyname,companywebsite,companyemaildomain,linkedincompanypageurl,stocksymbol,industry,city,state,companycountry,zipcode',
    );
    expect(text).toContain('"Late, ""Quoted"" Ltd",https://late.example,late.example,,,,,,GB,');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.companyemaildomain)).toEqual(['bounce.example', 'brief.example', 'late.example']);

    const generic = await fetch(`${stack.baseUrl}/v1/audiences/hot/export.csv?format=generic`, {
      headers: { authorization: `Bearer ${marketing}` },
    });
    expect(generic.headers.get('x-intent-warning')).toBeNull();
    const g = parse(await generic.text(), { columns: true }) as Record<string, string>[];
    expect(Object.keys(g[0] ?? {})).toEqual(['domain', 'name', 'tier', 'stage', 'priority', 'topics']);
    expect(g.find((r) => r.domain === 'late.example')).toMatchObject({
      name: 'Late, "Quoted" Ltd',
      tier: 'B',
      stage: 'hand_raiser',
    });
    expect((await stack.api('/v1/audiences/hot/export.csv?format=pdf', { key: marketing })).status).toBe(400);
  });
});

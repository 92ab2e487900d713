import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putCsv } from './accounts-helpers';
import { configureServerKey, configureTopics, event, SERVER_KEY, startTestStack, stopTestStack, type TestStack } from './harness';

describe('account resolution, stitching, trends and ingestion stats', () => {
  let stack: TestStack;
  let admin: string;
  // As a server-side forwarder: its `context.ip` counts (a browser's would not).
  const collect = (batch: unknown[]) => stack.collect(batch, SERVER_KEY);
  beforeAll(async () => {
    stack = await startTestStack();
    admin = stack.secrets.adminKey;
    await configureTopics(stack, ['security', 'data-warehousing', 'analytics', 'observability']);
    await configureServerKey(stack);
  });
  afterAll(() => stopTestStack(stack));

  it('loads IP ranges as CSV with per-row errors and answers which domain an address resolves to', async () => {
    const put = await putCsv(
      stack,
      '/v1/ip-ranges',
      'cidr,domain\n203.0.113.0/24,Hooli.example\n2001:db8:abcd::/48,hooli.example\nnot-a-range,x.example\n198.51.100.7/16,\n',
    );
    expect(put.status).toBe(200);
    expect(put.body.upserted).toBe(2);
    expect(put.body.rejected.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([
      [2, 'invalid_cidr'],
      [3, 'invalid_domain'],
    ]);
    const v4 = await stack.api('/v1/ip-ranges?ip=203.0.113.77', { key: admin });
    expect(v4.body).toEqual({ ip: '203.0.113.77', domain: 'hooli.example', cidr: '203.0.113.0/24' });
    const v6 = await stack.api('/v1/ip-ranges?ip=2001:db8:abcd:12::1', { key: admin });
    expect(v6.body.domain).toBe('hooli.example');
    const none = await stack.api('/v1/ip-ranges?ip=192.0.2.1', { key: admin });
    expect(none.body.domain).toBeNull();
  });

  it('resolves an anonymous visitor by IP range to the account, as an unidentified person', async () => {
    // The IP-range cache of a warm consumer lives 60 s; a fresh stack reads the table on first use.
    await collect([
      event({
        type: 'track',
        event: 'content_read',
        anonymousId: 'ip-visitor',
        context: { ip: '203.0.113.9' },
        properties: { topics: ['security'] },
      }),
    ]);
    await stack.drain();
    const account = await stack.api('/v1/accounts/hooli.example', { key: admin });
    expect(account.status).toBe(200);
    expect(account.body.intent.topics[0]).toMatchObject({ topic: 'security', reads: 1 });
  });

  it('attributes an anonymous visitor’s earlier engaged reads to the account once they identify, once', async () => {
    const reads = [1, 2, 3].map((n) =>
      event({
        type: 'track',
        event: 'content_read',
        anonymousId: 'later-known',
        properties: { topics: ['data-warehousing'], url: `https://x.example/a${n}` },
      }),
    );
    await collect(reads);
    await stack.drain();
    expect((await stack.api('/v1/accounts/stark.example', { key: admin })).status).toBe(404);

    const identify = event({ type: 'identify', anonymousId: 'later-known', traits: { email: 'tony@stark.example' } });
    await collect([identify]);
    await stack.drain();
    const first = await stack.api('/v1/accounts/stark.example', { key: admin });
    expect(first.body.intent.topics[0]).toMatchObject({ topic: 'data-warehousing', reads: 3 });
    expect(first.body.intent.stage).toBe('surging');

    await collect([{ ...identify }]);
    await stack.drain();
    const again = await stack.api('/v1/accounts/stark.example', { key: admin });
    expect(again.body.intent.topics[0].reads).toBe(3);
  });

  it('counts events made before their visitor identified the same when they are replayed after the identify', async () => {
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    const early = [
      // From the office network: resolves by IP range while the visitor is anonymous.
      event({
        type: 'track',
        event: 'content_read',
        anonymousId: 'office-visitor',
        timestamp: minutesAgo(10),
        context: { ip: '203.0.113.20' },
        properties: { topics: ['analytics'] },
      }),
      // Known to the site by user id, not yet to us: a page view nothing counts yet.
      event({
        type: 'page',
        anonymousId: 'home-visitor',
        userId: 'u-77',
        timestamp: minutesAgo(10),
        properties: { topics: ['analytics'], url: 'https://x.example/p' },
      }),
      event({
        type: 'track',
        event: 'content_read',
        anonymousId: 'home-visitor',
        userId: 'u-77',
        timestamp: minutesAgo(9),
        properties: { topics: ['analytics'] },
      }),
    ];
    await collect(early);
    await stack.drain();
    await collect([
      event({
        type: 'identify',
        anonymousId: 'office-visitor',
        timestamp: minutesAgo(5),
        traits: { email: 'bruce@wayne.example' },
      }),
      event({
        type: 'identify',
        anonymousId: 'home-visitor',
        userId: 'u-77',
        timestamp: minutesAgo(5),
        traits: { email: 'alfred@wayne.example' },
      }),
    ]);
    await stack.drain();
    const topics = async (domain: string) =>
      (await stack.api(`/v1/accounts/${domain}`, { key: admin })).body.intent.topics.map(
        ({ topic, score, reads, people }: Record<string, unknown>) => ({ topic, score, reads, people }),
      );
    const before = { hooli: await topics('hooli.example'), wayne: await topics('wayne.example') };
    expect(before.wayne.find((t: { topic: string }) => t.topic === 'analytics')).toMatchObject({ reads: 1 });

    await collect(early);
    await stack.drain();
    expect({ hooli: await topics('hooli.example'), wayne: await topics('wayne.example') }).toEqual(before);
  });

  it('counts reads by topic per site, including traffic that resolved to no account', async () => {
    await collect([
      event({ type: 'track', event: 'content_read', anonymousId: 'nobody-1', properties: { topics: ['observability'] } }),
      event({ type: 'track', event: 'content_read', anonymousId: 'nobody-2', properties: { topics: ['observability'] } }),
      event({ type: 'page', anonymousId: 'nobody-2', properties: { topics: ['observability'] } }),
    ]);
    await stack.drain();
    const res = await stack.api('/v1/topics/trends?days=14', { key: stack.secrets.marketingKey });
    expect(res.status).toBe(200);
    const observability = res.body.trends.find((t: { topic: string }) => t.topic === 'observability');
    expect(observability.reads).toBe(2);
    expect(observability.daily.at(-1)).toMatchObject({ reads: 2, unresolvedReads: 2, pageViews: 1, visitors: 2 });
  });

  it('reports per site what was accepted, rejected by code and dropped, and the pipeline lag', async () => {
    const res0 = await collect([
      event({ type: 'page' }),
      event({ type: 'track', event: 'no_such_event' }),
      event({ type: 'page', context: { userAgent: 'Googlebot/2.1 (+http://www.google.com/bot.html)' } }),
    ]);
    expect(res0.body.accepted).toBe(1);
    await stack.drain();
    const res = await stack.api('/v1/ingestion/stats', { key: stack.secrets.marketingKey });
    expect(res.status).toBe(200);
    const dev = res.body.sites.dev;
    expect(dev.accepted).toBeGreaterThanOrEqual(1);
    expect(dev.rejected.unknown_event).toBe(1);
    expect(dev.dropped.bot).toBe(1);
    expect(dev.lag.samples).toBeGreaterThan(0);
    expect(typeof dev.lag.averageSeconds).toBe('number');
    const forbidden = await stack.api('/v1/ingestion/stats', { key: stack.secrets.sdrKey });
    expect(forbidden.status).toBe(403);
  });
});

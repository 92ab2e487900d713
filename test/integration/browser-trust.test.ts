import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureTopics, event, SERVER_KEY, startTestStack, stopTestStack, type TestStack } from './harness';

const TOPIC = 'security';
const ORIGIN = 'https://news.example';
const TRUSTING = { id: 'trusting', name: 'Trusting site', writeKey: 'wk_trusting', trustBrowserTraits: true };
/** A browser's agent: the fetch client's own would be dropped as a bot's. */
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

/** What a browser may assert with a site's public write key, and what only its server key may. */
describe('trust: public and server write keys', () => {
  let stack: TestStack;
  let admin: string;
  const sites = [{ id: 'dev', name: 'Development site', writeKey: 'wk_dev', serverWriteKey: SERVER_KEY }, TRUSTING];
  /** A post as a browser (with an Origin) or, without `origin`, as a server-side caller. */
  const post = async (batch: unknown[], writeKey: string, origin?: string) => {
    const res = await stack.api('/v1/collect', {
      method: 'POST',
      body: JSON.stringify({ writeKey, batch }),
      headers: { 'content-type': 'application/json', ...(origin ? { origin, 'user-agent': BROWSER } : {}) },
    });
    expect(res).toMatchObject({ status: 202, body: { accepted: batch.length } });
  };
  const reads = async (domain: string): Promise<number> => {
    const res = await stack.api(`/v1/accounts/${domain}`, { key: admin });
    if (res.status === 404) return 0;
    return res.body.intent.topics.find((t: { topic: string }) => t.topic === TOPIC)?.reads ?? 0;
  };
  const ignored = async (site = 'dev') =>
    (await stack.api('/v1/ingestion/stats', { key: admin })).body.sites[site].ignored as Record<string, number>;
  const read = (fields: Record<string, unknown>) =>
    event({ type: 'track', event: 'content_read', properties: { topics: [TOPIC] }, ...fields });
  /** An identify `minutes` ago with these traits (and any other fields). */
  const identify = (anonymousId: string, minutes: number, traits: Record<string, unknown>, fields = {}) =>
    event({ type: 'identify', anonymousId, timestamp: minutesAgo(minutes), traits, ...fields });

  beforeAll(async () => {
    stack = await startTestStack();
    admin = stack.secrets.adminKey;
    await configureTopics(stack, [TOPIC]);
    const put = await stack.api('/v1/config/sites', {
      method: 'PUT',
      key: admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sites }),
    });
    expect(put.status).toBe(200);
    expect(put.body.value.sites[0].serverWriteKey).toBe(`****${SERVER_KEY.slice(-4)}`);
    const ranges = await stack.api('/v1/ip-ranges', {
      method: 'PUT',
      key: admin,
      headers: { 'content-type': 'text/csv' },
      body: 'cidr,domain\n203.0.113.0/24,hooli.example\n',
    });
    expect(ranges.status).toBe(200);
  });
  afterAll(() => stopTestStack(stack));

  it('shows a server write key masked, keeps it when the masked value is put back, and refuses other masks', async () => {
    const shown = await stack.api('/v1/config/sites', { key: admin });
    expect(shown.body.sites[0]).toMatchObject({
      serverWriteKey: '****4567',
      trustBrowserTraits: false,
      rateLimit: 1000,
      addressRateLimit: 100,
    });
    expect(JSON.stringify(shown.body)).not.toContain(SERVER_KEY);
    const putBack = await stack.api('/v1/config/sites', {
      method: 'PUT',
      key: admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(shown.body),
    });
    expect(putBack.status).toBe(200);
    expect((await stack.store.config.getAll(true)).sites.sites[0]?.serverWriteKey).toBe(SERVER_KEY);
    const forged = await stack.api('/v1/config/sites', {
      method: 'PUT',
      key: admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sites: [{ ...sites[0], serverWriteKey: '****0000' }] }),
    });
    expect(forged.status).toBe(400);
    expect(forged.body.error.details.map((d: { path: string }) => d.path)).toContain('sites.0.serverWriteKey');
    // The script is public: it is never rendered with the secret key.
    const script = await stack.api(`/v1/tracker.js?writeKey=${SERVER_KEY}`);
    expect(script.status).toBe(401);
  });

  it('takes context.ip only from the server key: a browser cannot claim a company network', async () => {
    const before = await ignored();
    await post([read({ anonymousId: 'forger', context: { ip: '203.0.113.9' } })], 'wk_dev', ORIGIN);
    await post([read({ anonymousId: 'no-origin-forger', context: { ip: '203.0.113.10' } })], 'wk_dev');
    await stack.drain();
    expect(await reads('hooli.example')).toBe(0);
    expect((await ignored()).ip).toBe((before.ip ?? 0) + 2);

    await post([read({ anonymousId: 'forwarded', context: { ip: '203.0.113.11' } })], SERVER_KEY);
    await stack.drain();
    expect(await reads('hooli.example')).toBe(1);
  });

  it('ignores a browser’s traits.domain and group calls unless the site trusts browser traits', async () => {
    const before = await ignored();
    await post(
      [
        identify('claims-domain', 2, { domain: 'initech.example' }),
        event({ type: 'group', anonymousId: 'claims-group', timestamp: minutesAgo(2), traits: { domain: 'initech.example' } }),
        read({ anonymousId: 'claims-domain' }),
        read({ anonymousId: 'claims-group' }),
      ],
      'wk_dev',
      ORIGIN,
    );
    await stack.drain();
    expect(await reads('initech.example')).toBe(0);
    expect(await ignored()).toMatchObject({ domain: (before.domain ?? 0) + 1, group: (before.group ?? 0) + 1 });

    // The same calls with the server key, and from a browser on a site that trusts browser traits.
    await post(
      [
        event({ type: 'group', anonymousId: 'server-group', timestamp: minutesAgo(2), traits: { domain: 'initech.example' } }),
        read({ anonymousId: 'server-group' }),
      ],
      SERVER_KEY,
    );
    await post(
      [identify('trusted-domain', 2, { domain: 'initech.example' }), read({ anonymousId: 'trusted-domain' })],
      TRUSTING.writeKey,
      ORIGIN,
    );
    await stack.drain();
    expect(await reads('initech.example')).toBe(2);
    expect((await ignored('trusting')).domain ?? 0).toBe(0);
  });

  it('keeps a user id on the account it was first linked to, and counts the attempt to move it', async () => {
    const before = await ignored();
    await post([identify('owner', 3, { email: 'ann@umbrella.example' }, { userId: 'u-42' })], 'wk_dev', ORIGIN);
    await stack.drain();
    await post([identify('thief', 2, { email: 'eve@evil.example' }, { userId: 'u-42' })], 'wk_dev', ORIGIN);
    await stack.drain();
    // A server-side event under the user id alone still counts for the first account.
    await post([read({ anonymousId: undefined, userId: 'u-42' })], SERVER_KEY);
    await stack.drain();
    expect(await reads('umbrella.example')).toBe(1);
    expect(await reads('evil.example')).toBe(0);
    expect((await ignored()).relink).toBe((before.relink ?? 0) + 1);
  });

  it('tells a verified hand-raise (server key) from a browser’s in the account’s explanation', async () => {
    const raise = (anonymousId: string, email: string) => [
      identify(anonymousId, 2, { email }),
      event({ type: 'track', event: 'demo_request', anonymousId, timestamp: minutesAgo(1) }),
    ];
    await post(raise('server-raiser', 'sam@verified.example'), SERVER_KEY);
    await post(raise('browser-raiser', 'bea@claimed.example'), 'wk_dev', ORIGIN);
    await stack.drain();
    const explanation = async (domain: string) =>
      ((await stack.api(`/v1/accounts/${domain}`, { key: admin })).body.explanation as string[]).find((s) =>
        s.startsWith('Hand-raise'),
      );
    expect(await explanation('verified.example')).toContain('(source: verified, sent server-side)');
    expect(await explanation('claimed.example')).toContain('(source: browser, not verified)');
  });

  it('quarantines a visitor that claims a fourth company in a day and a browser address that claims a 21st, never a forwarder’s own server', async () => {
    const before = (await ignored()).quarantined ?? 0;
    const identifyAt = (anonymousId: string, domain: string, at: number) =>
      event({
        type: 'identify',
        anonymousId,
        timestamp: new Date(Date.now() - 600_000 + at * 1000).toISOString(),
        traits: { email: `someone@${domain}` },
      });
    await post(
      [1, 2, 3, 4].map((n) => identifyAt('hopper', `hop-${n}.example`, n)),
      SERVER_KEY,
    );
    // A forwarder sends every user's identify from its one server, without `context.ip`: its address is no client's.
    await post(
      Array.from({ length: 21 }, (_, n) => identifyAt(`user-${n}`, `customer-${n}.example`, 10 + n)),
      SERVER_KEY,
    );
    await stack.drain();
    expect((await ignored()).quarantined).toBe(before + 1);
    // Browsers all behind this test's one address: whatever it claimed earlier today, a 21st new company is one too many.
    await post(
      Array.from({ length: 21 }, (_, n) => identifyAt(`desk-${n}`, `office-${n}.example`, 40 + n)),
      'wk_dev',
      ORIGIN,
    );
    await stack.drain();
    expect((await ignored()).quarantined).toBeGreaterThan(before + 1);
    // The quarantined claims linked nothing: the visitor stays with its third company.
    await post([read({ anonymousId: 'hopper' }), read({ anonymousId: 'user-20' }), read({ anonymousId: 'desk-20' })], SERVER_KEY);
    await stack.drain();
    expect(await reads('hop-3.example')).toBe(1);
    expect(await reads('hop-4.example')).toBe(0);
    expect(await reads('customer-20.example')).toBe(1);
    expect(await reads('office-20.example')).toBe(0);
  });
});

import { addDays, dayOf } from '@intent/intent';
import { rollUp } from '@intent/pipeline';
import { STITCH_DAYS } from '@intent/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accepted,
  configureServerKey,
  configureTopics,
  configWithTopics,
  event,
  SERVER_KEY,
  startTestStack,
  stopTestStack,
  storeRacing,
  type TestStack,
} from './harness';

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const TOPIC = 'privacy-engineering';
const DOMAIN = 'initech.example';
const OFFICE = '198.51.100';

describe('DELETE /v1/visitors/{anonymousId}: erasing a visitor', () => {
  let stack: TestStack;
  let admin: string;
  /** Everything the erased visitor sent: read anonymously, identified, read again. */
  const visitorEvents = [
    ...[1, 2, 3].map((n) =>
      event({
        type: 'track',
        event: 'content_read',
        anonymousId: 'erase-me',
        timestamp: minutesAgo(30 - n),
        properties: { topics: [TOPIC], url: `https://x.example/p${n}` },
      }),
    ),
    event({ type: 'identify', anonymousId: 'erase-me', timestamp: minutesAgo(20), traits: { email: 'peter@initech.example' } }),
    event({
      type: 'track',
      event: 'content_read',
      anonymousId: 'erase-me',
      timestamp: minutesAgo(10),
      properties: { topics: [TOPIC], url: 'https://x.example/p4' },
    }),
  ];
  // As a server-side forwarder: its `context.ip` counts (a browser's would not).
  const collect = (batch: unknown[]) => stack.collect(batch, SERVER_KEY);
  const erase = (anonymousId: string, key = admin) =>
    stack.api(`/v1/visitors/${encodeURIComponent(anonymousId)}`, { method: 'DELETE', key });
  const topic = async () => {
    const res = await stack.api(`/v1/accounts/${DOMAIN}`, { key: admin });
    return res.body.intent.topics.find((t: { topic: string }) => t.topic === TOPIC) as {
      reads: number;
      people: number;
      score: number;
    };
  };
  const trendVisitors = async () => {
    const res = await stack.api('/v1/topics/trends?days=2', { key: admin });
    const trend = res.body.trends.find((t: { topic: string }) => t.topic === TOPIC);
    return trend.daily.reduce((n: number, d: { visitors: number }) => n + d.visitors, 0) as number;
  };
  /** The account's page views of the last two days, all topics. */
  const pageViews = async () => {
    const days = await stack.store.rollups.since(DOMAIN, addDays(dayOf(new Date()), -1));
    return days.reduce((n, d) => n + (d.counts.page_view ?? 0), 0);
  };
  const pending = (anonymousId: string) => {
    const today = dayOf(new Date());
    return stack.store.rollups
      .pendingOf([anonymousId], addDays(today, -STITCH_DAYS), today)
      .then((m) => m.get(anonymousId) ?? []);
  };

  beforeAll(async () => {
    stack = await startTestStack();
    admin = stack.secrets.adminKey;
    await configureTopics(stack, [TOPIC]);
    await configureServerKey(stack);
    // The company's office network, before any batch (the consumer reads the ranges once a minute).
    const ranges = await stack.api('/v1/ip-ranges', {
      method: 'PUT',
      key: admin,
      headers: { 'content-type': 'text/csv' },
      body: `cidr,domain\n${OFFICE}.0/24,${DOMAIN}\n`,
    });
    expect(ranges.status).toBe(200);
    // A colleague at the same company, so the account has two distinct people on the topic.
    await collect([
      event({
        type: 'identify',
        anonymousId: 'colleague',
        timestamp: minutesAgo(40),
        traits: { email: 'michael@initech.example' },
      }),
      event({
        type: 'track',
        event: 'content_read',
        anonymousId: 'colleague',
        timestamp: minutesAgo(35),
        properties: { topics: [TOPIC] },
      }),
    ]);
    await stack.drain();
    // The visitor reads anonymously first (kept pending), then identifies (stitched), then reads again.
    await collect(visitorEvents.slice(0, 3));
    await stack.drain();
    await collect(visitorEvents.slice(3));
    await stack.drain();
  });
  afterAll(() => stopTestStack(stack));

  it('counts the visitor before the erasure: linked, pending events kept, one of two people', async () => {
    expect((await stack.store.identity.links(['erase-me'], [])).visitors.get('erase-me')?.domain).toBe(DOMAIN);
    expect((await pending('erase-me')).flatMap((d) => d.events)).toHaveLength(3);
    expect(await topic()).toMatchObject({ reads: 5, people: 2 });
  });

  it('refuses keys without the admin scope (403) and an anonymous id the collector would not accept (400)', async () => {
    for (const key of [stack.secrets.marketingKey, stack.secrets.sdrKey]) {
      const res = await erase('erase-me', key);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toEqual(expect.any(String));
    }
    expect((await stack.api('/v1/visitors/erase-me', { method: 'DELETE' })).status).toBe(401);

    const tooLong = await erase('x'.repeat(129));
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error).toMatchObject({
      code: 'invalid_request',
      details: [{ path: 'anonymousId', message: expect.any(String) }],
    });
    const malformed = await stack.api('/v1/visitors/%E0%A4%A', { method: 'DELETE', key: admin });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ code: 'invalid_request', details: [{ path: 'anonymousId' }] });
    // Nothing was touched by the refused requests.
    expect((await stack.store.identity.links(['erase-me'], [])).visitors.get('erase-me')?.domain).toBe(DOMAIN);
  });

  it('erases the link, the pending events and the person, and re-scores the account: breadth drops, counts stay', async () => {
    const before = await topic();
    const visitorsBefore = await trendVisitors();
    const res = await erase('erase-me');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      anonymousId: 'erase-me',
      erasedAt: expect.any(String),
      erased: { identityLinks: 1, pendingEvents: 3 },
      accounts: [DOMAIN],
    });
    // One rollup and one site day each, unless the visitor's reads straddled midnight (UTC).
    expect(res.body.erased.accountRollups).toBeGreaterThanOrEqual(1);
    expect(res.body.erased.siteActivityDays).toBeGreaterThanOrEqual(1);

    const links = await stack.store.identity.links(['erase-me'], []);
    expect(links.visitors.has('erase-me')).toBe(false);
    expect(links.erased.has('erase-me')).toBe(true);
    expect(await pending('erase-me')).toEqual([]);
    const after = await topic();
    expect(after).toMatchObject({ reads: 5, people: 1 });
    expect(after.score).toBeLessThan(before.score);
    expect(await trendVisitors()).toBe(visitorsBefore - res.body.erased.siteActivityDays);
    // The colleague is untouched.
    expect((await stack.store.identity.links(['colleague'], [])).visitors.get('colleague')?.domain).toBe(DOMAIN);
  });

  it('counts nothing for the account when the visitor’s events are replayed or new ones arrive afterwards', async () => {
    const before = await topic();
    const visitorsBefore = await trendVisitors();
    await collect(visitorEvents.map((e) => ({ ...e })));
    const pageViewsBefore = await pageViews();
    await collect([
      event({ type: 'identify', anonymousId: 'erase-me', traits: { email: 'peter@initech.example' } }),
      event({ type: 'track', event: 'content_read', anonymousId: 'erase-me', properties: { topics: [TOPIC] } }),
    ]);
    await stack.drain();
    // From the office network: page views count by network (they read no link), but not the erased visitor's.
    await collect([
      event({ type: 'page', anonymousId: 'erase-me', context: { ip: `${OFFICE}.7` } }),
      event({ type: 'page', anonymousId: 'walk-in', context: { ip: `${OFFICE}.8` } }),
    ]);
    await stack.drain();
    expect(await pageViews()).toBe(pageViewsBefore + 1);
    expect(await topic()).toEqual(before);
    expect((await stack.store.identity.links(['erase-me'], [])).erased.has('erase-me')).toBe(true);
    expect(await pending('erase-me')).toEqual([]);
    // Site trends count the new read as anonymous traffic, with no visitor behind it.
    expect(await trendVisitors()).toBe(visitorsBefore);
  });

  it('is idempotent: erasing again, or a visitor never seen, answers 200 with zeros', async () => {
    const first = await erase('erase-me');
    expect(first.status).toBe(200);
    expect(first.body.erased).toEqual({ identityLinks: 0, pendingEvents: 0, accountRollups: 0, siteActivityDays: 0 });
    expect(first.body.accounts).toEqual([]);
    const again = await erase('erase-me');
    expect(again.body.erasedAt).toBe(first.body.erasedAt);

    const unknown = await erase('never seen / visitor');
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatchObject({
      anonymousId: 'never seen / visitor',
      erased: { identityLinks: 0, pendingEvents: 0, accountRollups: 0, siteActivityDays: 0 },
      accounts: [],
    });
  });

  it('refuses to link a visitor erased while a batch of its events was in flight, and counts none of them', async () => {
    const config = configWithTopics([TOPIC]);
    const messages = [
      event({ type: 'identify', anonymousId: 'racer', timestamp: minutesAgo(2), traits: { email: 'ada@umbrella.example' } }),
      event({
        type: 'track',
        event: 'content_read',
        anonymousId: 'racer',
        timestamp: minutesAgo(1),
        properties: { topics: [TOPIC] },
      }),
    ].map((raw) => accepted(raw, config));
    // The erasure lands after the batch read the visitor's (missing) link, before it links the visitor.
    const store = storeRacing(stack, async () => {
      expect((await erase('racer')).status).toBe(200);
    });
    const outcome = await rollUp(
      messages.map((message, i) => ({ recordId: `r${i}`, message })),
      { store, config, now: new Date(), erased: new Set<string>() },
    );
    expect(outcome.failedRecordIds).toEqual([]);
    expect(outcome.counted).toBe(0);
    const links = await stack.store.identity.links(['racer'], []);
    expect([links.visitors.has('racer'), links.erased.has('racer')]).toEqual([false, true]);
    expect(await pending('racer')).toEqual([]);
    expect((await stack.api('/v1/accounts/umbrella.example', { key: admin })).status).toBe(404);
  });
});

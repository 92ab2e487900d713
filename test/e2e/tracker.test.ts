/**
 * The snippet alone, in a real Chromium: a "customer site" server serves pages with
 * `snippetTag(...)`, and a fake collector on another origin serves `renderTracker(...)` and
 * records what the snippet posts to /v1/collect.
 */
import { renderTracker, snippetTag, type TrackerSettings } from '@intent/tracker';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  articleHtml,
  type HttpServer,
  launchBrowser,
  listen,
  NEEDS_CHROMIUM,
  readBody,
  type SiteServer,
  serveSite,
  sleep,
  waitFor,
} from './browser';

interface SentEvent {
  type: string;
  messageId: string;
  anonymousId: string;
  userId?: string;
  timestamp: string;
  sentAt: string;
  event?: string;
  name?: string;
  groupId?: string;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: {
    page: { url: string; referrer: string; title: string; path: string };
    userAgent: string;
    consent: string;
    library: { name: string; version: string };
  };
}
interface Post {
  writeKey: string;
  body: { writeKey: string; batch: SentEvent[]; sentAt: string };
  contentType: string;
  /** `cors` for fetch, `no-cors` for sendBeacon. */
  fetchMode: string;
  status: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
/** Long enough for the 2 s batch timer to have fired, and the request to land. */
const QUIET_MS = 2600;

// Generous timeout: these run concurrently, on machines that may be busy.
describe('tracker snippet in Chromium', { ...NEEDS_CHROMIUM, concurrent: true, timeout: 60_000 }, () => {
  let browser: Browser;
  let collector: HttpServer;
  let site: SiteServer;
  const settings = new Map<string, TrackerSettings>();
  const posts: Post[] = [];
  /** writeKey -> how many more collect requests to fail with 503. */
  const failures = new Map<string, number>();
  const contexts: BrowserContext[] = [];
  let sites = 0;

  beforeAll(async () => {
    collector = await listen(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const cors = { 'Access-Control-Allow-Origin': req.headers.origin ?? '*', Vary: 'Origin' };
      if (req.method === 'GET' && url.pathname === '/v1/tracker.js') {
        const s = settings.get(url.searchParams.get('writeKey') ?? '');
        if (!s) return void res.writeHead(404).end();
        res.writeHead(200, { 'Content-Type': 'application/javascript; charset=utf-8' }).end(renderTracker(s));
        return;
      }
      if (req.method === 'POST' && url.pathname === '/v1/collect') {
        const body = JSON.parse(await readBody(req)) as Post['body'];
        const left = failures.get(body.writeKey) ?? 0;
        failures.set(body.writeKey, left - 1);
        const status = left > 0 ? 503 : 202;
        posts.push({
          writeKey: body.writeKey,
          body,
          contentType: String(req.headers['content-type']),
          fetchMode: String(req.headers['sec-fetch-mode']),
          status,
        });
        res
          .writeHead(status, { ...cors, 'Content-Type': 'application/json' })
          .end(JSON.stringify(status === 202 ? { accepted: body.batch.length, rejected: [] } : { error: {} }));
        return;
      }
      // A text/plain POST needs no preflight: answering one would be a regression.
      res.writeHead(405, cors).end();
    });
    site = await serveSite();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser?.close();
    await Promise.all([collector?.close(), site?.close()]);
  });

  /** A site with its own write key and settings, and what the collector got from it. */
  function newSite(options: Partial<TrackerSettings> = {}) {
    const n = ++sites;
    const writeKey = `wk_e2e_${n}`;
    settings.set(writeKey, {
      endpoint: collector.url,
      writeKey,
      consentRequired: false,
      engagedRead: { activeSeconds: 1, scrollPercent: 50 },
      ...options,
    });
    const received = () => posts.filter((p) => p.writeKey === writeKey && p.status === 202);
    // Distinct events: a batch the snippet sent again (its answer was slow on a loaded machine)
    // carries the same messageIds, which the collector counts once too.
    const events = (type?: string, event?: string) => [
      ...new Map(
        received()
          .flatMap((p) => p.body.batch)
          .filter((e) => (!type || e.type === type) && (!event || e.event === event))
          .map((e) => [e.messageId ?? Symbol(), e]),
      ).values(),
    ];
    return {
      writeKey,
      head: snippetTag(collector.url, writeKey),
      path: (name: string) => `/site${n}/${name}`,
      received,
      allPosts: () => posts.filter((p) => p.writeKey === writeKey),
      events,
      /** Resolves with the events once at least `count` of them have arrived. */
      waitForEvents: (count: number, type?: string, event?: string, timeout = 15_000) =>
        waitFor(() => events(type, event).length >= count && events(type, event), {
          timeout,
          what: `${count} ${type ?? 'any'} ${event ?? ''} event(s) for ${writeKey}`,
        }),
    };
  }

  /** Opens `html` at `path` of the site in a fresh context; collects uncaught page errors. */
  async function open(path: string, html: string, initScript?: string) {
    site.setPage(path, html);
    const context = await browser.newContext();
    contexts.push(context);
    if (initScript) await context.addInitScript(initScript);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(site.pageUrl(path));
    return { context, page, errors };
  }

  /** Leaves the page so that the snippet flushes with sendBeacon (pagehide). */
  const leave = (page: Page) => page.goto('about:blank');

  test('sends a page view on load with the documented shape, and replays queued calls', async () => {
    const s = newSite();
    const path = s.path('article?x=1');
    const { context, page, errors } = await open(
      s.path('article'),
      articleHtml({
        title: 'Warehousing 101',
        head: `${s.head}<script>intent.track('pricing_view', {plan: 'pro', topics: ['data-warehousing']})</script>`,
      }),
    );
    await page.goto(site.pageUrl(path));
    const [first] = await s.waitForEvents(1, 'page');
    const [pricing] = await s.waitForEvents(1, 'track', 'pricing_view');
    const post = s.received()[0]!;
    expect(post.contentType).toMatch(/^text\/plain/);
    expect(post.body.writeKey).toBe(s.writeKey);
    expect(post.body.sentAt).toMatch(ISO);

    const ev = first!;
    expect(ev.messageId).toMatch(UUID);
    expect(ev.anonymousId).toMatch(UUID);
    expect(ev.userId).toBeUndefined();
    expect(ev.timestamp).toMatch(ISO);
    expect(ev.sentAt).toBe(post.body.sentAt);
    const pageInfo = { url: site.pageUrl(s.path('article')), title: 'Warehousing 101', path: s.path('article') };
    expect(ev.properties).toMatchObject(pageInfo);
    expect(ev.context).toMatchObject({
      page: pageInfo,
      consent: 'unknown',
      library: { name: 'intent-tracker', version: '0.1.0' },
    });
    expect(ev.context.userAgent).toContain('Chrome');
    expect(ev.traits).toEqual({});

    // The call queued by the stub before the script loaded, with topics forwarded as given.
    expect(pricing!.properties).toMatchObject({ plan: 'pro', topics: ['data-warehousing'], ...pageInfo });
    expect(pricing!.anonymousId).toBe(ev.anonymousId);

    // The anonymous id is first-party: a one-year SameSite=Lax cookie and localStorage.
    const cookie = (await context.cookies()).find((c) => c.name === '_ip_aid');
    expect(cookie).toMatchObject({ value: ev.anonymousId, sameSite: 'Lax', path: '/' });
    expect(cookie!.expires * 1000 - Date.now()).toBeGreaterThan(364 * 86400_000);
    expect(await page.evaluate(`localStorage.getItem('_ip_aid')`)).toBe(ev.anonymousId);

    // A second page of the same site (new page load, query string) keeps the id.
    const [, second] = await s.waitForEvents(2, 'page');
    expect(second!.anonymousId).toBe(ev.anonymousId);
    expect(second!.properties.url).toBe(site.pageUrl(path));
    expect(second!.properties.referrer).toBe('');
    expect(s.events('page')).toHaveLength(2); // no duplicate from the replayed stub
    expect(errors).toEqual([]);
  });

  test('sends content_read once after enough active time and scroll depth', async () => {
    const s = newSite({ engagedRead: { activeSeconds: 1, scrollPercent: 50 } });
    const { page, errors } = await open(s.path('long-read'), articleHtml({ title: 'Long read', head: s.head }));
    await page.waitForFunction('window.intent && window.intent.loaded');
    await sleep(1500); // more than a second of active time, but no scrolling yet
    const scrolledAt = Date.now();
    await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
    const [read] = await s.waitForEvents(1, 'track', 'content_read');
    expect(Date.parse(read!.timestamp)).toBeGreaterThanOrEqual(scrolledAt - 50); // not before the scroll
    expect(read!.properties).toMatchObject({
      url: site.pageUrl(s.path('long-read')),
      title: 'Long read',
      path: s.path('long-read'),
    });
    await page.mouse.wheel(0, -500);
    await sleep(1100);
    await leave(page); // flushes anything queued since
    await sleep(300);
    expect(s.events('track', 'content_read')).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  test('treats a page too short to scroll as fully scrolled', async () => {
    const s = newSite({ engagedRead: { activeSeconds: 1, scrollPercent: 90 } });
    const { errors } = await open(s.path('short'), articleHtml({ title: 'Short', head: s.head, height: 0 }));
    const [read] = await s.waitForEvents(1, 'track', 'content_read');
    expect(read!.properties).toMatchObject({ title: 'Short' });
    expect(errors).toEqual([]);
  });

  test('identify then track carries the user id and traits, persisted across pages without the email', async () => {
    const s = newSite();
    const traits = { email: 'ana@acme.example', company: 'Acme' };
    const { page, errors } = await open(s.path('pricing'), articleHtml({ head: s.head }));
    await page.evaluate(`intent.identify('user-42', ${JSON.stringify(traits)}); intent.track('demo_request', {form: 'top'})`);
    await page.reload(); // pagehide flushes the queue
    const [identify] = await s.waitForEvents(1, 'identify');
    const [demo] = await s.waitForEvents(1, 'track', 'demo_request');
    expect(identify).toMatchObject({ userId: 'user-42', traits });
    expect(demo).toMatchObject({ userId: 'user-42', traits, properties: { form: 'top' } });
    expect(demo!.anonymousId).toBe(identify!.anonymousId);

    await page.waitForFunction('window.intent && window.intent.loaded');
    // No raw email in browser storage: the identify linked the browser, later pages need no address.
    expect(await page.evaluate(`JSON.stringify(localStorage)`)).not.toContain('ana@acme.example');
    await page.evaluate(`intent.group('acme.example', {name: 'Acme', domain: 'acme.example'})`);
    await leave(page);
    const pages = await s.waitForEvents(2, 'page');
    expect(pages[1]).toMatchObject({ userId: 'user-42', traits: { company: 'Acme' }, anonymousId: identify!.anonymousId });
    expect(pages[1]?.traits).not.toHaveProperty('email');
    const [group] = await s.waitForEvents(1, 'group');
    expect(group).toMatchObject({ groupId: 'acme.example', userId: 'user-42', traits: { name: 'Acme' } });
    expect(errors).toEqual([]);
  });

  test('with consentRequired, nothing is sent or stored before consent(true); then held events go', async () => {
    const s = newSite({ consentRequired: true });
    const { context, page, errors } = await open(
      s.path('gated'),
      articleHtml({ head: `${s.head}<script>intent.track('pricing_view')</script>` }),
    );
    await sleep(QUIET_MS);
    expect(s.allPosts()).toEqual([]);
    expect((await context.cookies()).map((c) => c.name)).not.toContain('_ip_aid');
    expect(await page.evaluate('Object.keys(localStorage)')).toEqual([]);

    await page.evaluate('intent.consent(true)');
    const [view] = await s.waitForEvents(1, 'page');
    const [pricing] = await s.waitForEvents(1, 'track', 'pricing_view');
    expect(view!.context.consent).toBe('granted');
    expect(pricing!.context.consent).toBe('granted');
    expect((await context.cookies()).find((c) => c.name === '_ip_aid')?.value).toBe(view!.anonymousId);

    // The decision is remembered on the next page.
    await page.reload();
    await page.waitForFunction('window.intent && window.intent.loaded');
    await leave(page);
    const pages = await s.waitForEvents(2, 'page');
    expect(pages[1]).toMatchObject({ anonymousId: view!.anonymousId, context: { consent: 'granted' } });
    expect(errors).toEqual([]);
  });

  test('consent(false) sends nothing and drops what was queued', async () => {
    const required = newSite({ consentRequired: true });
    const optional = newSite({ consentRequired: false });
    const deny = `intent.track('pricing_view'); intent.consent(false); intent.track('demo_request')`;
    const a = await open(required.path('denied'), articleHtml({ head: `${required.head}<script>${deny}</script>` }));
    // Consent not required: the page view is queued (2 s batch) when the visitor declines.
    const b = await open(optional.path('declined'), articleHtml({ head: optional.head }));
    await b.page.evaluate('intent.track("pricing_view"); intent.consent(false); intent.track("demo_request")');
    await a.page.waitForFunction('window.intent && window.intent.loaded');
    // Leaving sends anything sendable at once (see the sendBeacon test): nothing must come.
    await Promise.all([leave(a.page), leave(b.page)]);
    await sleep(500);
    expect(required.allPosts()).toEqual([]);
    expect(optional.allPosts()).toEqual([]);
    expect((await b.context.cookies()).map((c) => c.name)).not.toContain('_ip_aid');
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  test('single-page-app navigation sends one page view per URL', async () => {
    const s = newSite();
    const { page, errors } = await open(s.path('app'), articleHtml({ title: 'Home', head: s.head }));
    await page.waitForFunction('window.intent && window.intent.loaded');
    await page.evaluate(`
      history.pushState({}, '', '${s.path('app/pricing')}');
      history.replaceState({ scroll: 0 }, '', '${s.path('app/pricing')}'); // same URL: no new view
      document.title = 'Pricing';
    `);
    await sleep(500);
    // An in-page anchor is not a new page; the back button is.
    await page.evaluate(`location.hash = '#section'`);
    await sleep(500);
    await page.goBack(); // back to /app/pricing without the hash: same page
    await page.goBack(); // back to /app
    await sleep(500);
    await leave(page);
    const views = await s.waitForEvents(3, 'page');
    await sleep(300);
    expect(views.map((v) => [v.properties.path, v.properties.title, v.properties.referrer])).toEqual([
      [s.path('app'), 'Home', ''],
      [s.path('app/pricing'), 'Pricing', site.pageUrl(s.path('app'))],
      [s.path('app'), 'Pricing', site.pageUrl(s.path('app/pricing'))],
    ]);
    expect(s.events('page')).toHaveLength(3);
    expect(errors).toEqual([]);
  });

  test('Do Not Track and Global Privacy Control send nothing', async () => {
    const dnt = newSite();
    const gpc = newSite();
    const calls = `intent.identify('u1', {email: 'x@y.example'}); intent.track('demo_request')`;
    const a = await open(
      dnt.path('dnt'),
      articleHtml({ head: dnt.head, script: calls }),
      `Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' })`,
    );
    const b = await open(
      gpc.path('gpc'),
      articleHtml({ head: gpc.head, script: calls }),
      `Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })`,
    );
    await Promise.all([a.page, b.page].map((p) => p.waitForFunction('window.intent && window.intent.loaded')));
    // Leaving sends anything sendable at once (see the sendBeacon test): nothing must come.
    await Promise.all([leave(a.page), leave(b.page)]);
    await sleep(500);
    expect([...dnt.allPosts(), ...gpc.allPosts()]).toEqual([]);
    expect((await a.context.cookies()).map((c) => c.name)).not.toContain('_ip_aid');
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  test('leaving the page sends the queue at once with sendBeacon', async () => {
    const s = newSite();
    const { page, errors } = await open(s.path('leave'), articleHtml({ head: s.head }));
    await page.waitForFunction('window.intent && window.intent.loaded');
    await page.evaluate(`intent.track('content_download', {file: 'report.pdf'})`);
    await leave(page); // the page is gone: its 2 s batch timer will never fire
    const [download] = await s.waitForEvents(1, 'track', 'content_download');
    const post = s.received().find((p) => p.body.batch.some((e) => e.messageId === download!.messageId))!;
    expect(post.fetchMode).toBe('no-cors'); // sendBeacon, not fetch
    expect(post.contentType).toMatch(/^text\/plain/);
    // One page view. On a loaded machine its 2 s timer may fire before the page is left; if that
    // fetch reached the server but failed on the page's side, its retry goes out with the
    // beacon: the snippet delivers at least once, under one messageId, which counts once.
    expect(new Set(s.events('page').map((e) => e.messageId)).size).toBe(1);
    expect(errors).toEqual([]);
  });

  test('retries 5xx answers with backoff, keeping the batch and its message ids', async () => {
    const s = newSite();
    failures.set(s.writeKey, 2);
    const { errors } = await open(s.path('retry'), articleHtml({ head: s.head }));
    const [view] = await s.waitForEvents(1, 'page', undefined, 15_000);
    const attempts = s.allPosts();
    expect(attempts.map((p) => p.status)).toEqual([503, 503, 202]);
    for (const p of attempts) expect(p.body.batch.map((e) => e.messageId)).toEqual([view!.messageId]);
    expect(errors).toEqual([]);
  });

  test('bad calls and a hostile page never throw into the host page', async () => {
    const s = newSite();
    const script = `
      const circular = {}; circular.self = circular;
      intent.track(); intent.track(42); intent.track('pricing_view', circular);
      intent.identify(null, 'nonsense'); intent.page('Pricing', 'not-an-object');
      intent.group({ name: 'Acme' }); intent.consent(true);
      intent.track('demo_request', { topics: ['data-warehousing'] });
      window.afterCalls = true;`;
    const { page, errors } = await open(
      s.path('hostile'),
      articleHtml({ head: `${s.head}<script>${script}</script>` }),
      // Storage that throws, as in some privacy modes.
      `Object.defineProperty(window, 'localStorage', { get() { throw new Error('denied') } });`,
    );
    expect(await page.evaluate('window.afterCalls')).toBe(true);
    const [demo] = await s.waitForEvents(1, 'track', 'demo_request');
    expect(demo!.properties.topics).toEqual(['data-warehousing']);
    expect(s.events('page').map((e) => e.name)).toEqual(['Pricing']); // the named call counts as the view
    expect(s.events('group')[0]!.traits).toEqual({ name: 'Acme' });
    expect(s.events('track').map((e) => e.event)).toEqual(['demo_request']);
    expect(errors).toEqual([]);
  });
});

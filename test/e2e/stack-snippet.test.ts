/**
 * The snippet against the real local stack: a customer site on its own origin embeds the tag
 * from `snippetTag`, Chromium loads tracker.js from the stack, and each check reads what
 * landed through the API (accounts, trends, ingestion stats).
 */
import { snippetTag } from '@intent/tracker';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestStack, type TestStack } from '../integration/harness';
import { articleHtml, launchBrowser, NEEDS_CHROMIUM, type SiteServer, serveSite, sleep, waitFor } from './browser';

describe('snippet on the local stack', NEEDS_CHROMIUM, () => {
  let stack: TestStack;
  let site: SiteServer;
  let browser: Browser;
  const admin = () => stack.secrets.adminKey;

  beforeAll(async () => {
    stack = await startTestStack();
    site = await serveSite();
    const sites = [
      {
        id: 'blog',
        name: 'Blog',
        writeKey: 'wk_blog_e2e',
        allowedOrigins: [site.url],
        topicRules: [{ pathPrefix: '/warehousing/', topics: ['data-warehousing'] }],
        engagedRead: { activeSeconds: 1, scrollPercent: 50 },
      },
      { id: 'strict', name: 'Strict', writeKey: 'wk_strict_e2e', allowedOrigins: [site.url], consentRequired: true },
    ];
    expect(
      (
        await stack.api('/v1/config/sites', {
          method: 'PUT',
          key: admin(),
          body: JSON.stringify({ sites }),
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(200);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await stack?.stop().catch(() => undefined);
    stack?.cleanup();
  });

  // Headless Chromium says "HeadlessChrome" in its user agent, which the collector rightly
  // drops as a bot; these pages pose as the desktop browser a reader would use.
  const READER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
  const newPage = () => browser.newPage({ userAgent: READER_AGENT });
  const stats = async (siteId: string) => (await stack.api('/v1/ingestion/stats', { key: admin() })).body.sites[siteId];

  test('a page view, an identify and an engaged read land as the account’s intent on the URL’s topic', async () => {
    site.setPage(
      '/warehousing/lakehouse',
      articleHtml({ title: 'Lakehouse 101', head: snippetTag(stack.baseUrl, 'wk_blog_e2e') }),
    );
    const page = await newPage();
    await page.goto(site.pageUrl('/warehousing/lakehouse'));
    await page.evaluate(() =>
      (window as unknown as { intent: { identify(id: string, t: object): void } }).intent.identify('user-42', {
        email: 'eve@wayne.example',
      }),
    );
    await page.mouse.wheel(0, 3000);
    await sleep(1500);
    await page.mouse.wheel(0, 500);
    const account = await waitFor(
      async () => {
        const res = await stack.api('/v1/accounts/wayne.example', { key: admin() });
        return res.status === 200 &&
          res.body.intent.topics.some((t: { topic: string; reads: number }) => t.topic === 'data-warehousing' && t.reads >= 1)
          ? res.body
          : undefined;
      },
      { timeout: 20_000, what: 'the engaged read to reach the account' },
    );
    expect(account.intent.stage).toBe('engaged');
    expect((await stats('blog')).accepted).toBeGreaterThanOrEqual(3); // page, identify, content_read
    const trends = (await stack.api('/v1/topics/trends?site=blog', { key: admin() })).body.trends;
    expect(trends.find((t: { topic: string }) => t.topic === 'data-warehousing')?.reads).toBeGreaterThanOrEqual(1);
    await page.close();
  });

  test('tracker.js arrives gzip-compressed with an ETag and cache headers, and runs', async () => {
    site.setPage('/compressed', articleHtml({ head: snippetTag(stack.baseUrl, 'wk_blog_e2e') }));
    const page = await newPage();
    const script = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/tracker.js');
    await page.goto(site.pageUrl('/compressed'));
    const headers = (await script).headers();
    expect(headers['content-encoding']).toBe('gzip');
    expect(headers.etag).toMatch(/^W\/"[\w-]+"$/);
    expect(headers['cache-control']).toBe('public, max-age=300, stale-while-revalidate=86400');
    await waitFor(() => page.evaluate(() => (window as unknown as { intent: { loaded?: 1 } }).intent.loaded === 1), {
      what: 'the snippet to load',
    });
    await page.close();
  });

  test('a headless browser’s own agent is dropped as a bot, and the answer says so', async () => {
    site.setPage('/headless', articleHtml({ head: snippetTag(stack.baseUrl, 'wk_blog_e2e') }));
    // No userAgent option: Chromium announces itself as HeadlessChrome.
    const page = await browser.newPage();
    const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/collect' && r.request().method() === 'POST');
    await page.goto(site.pageUrl('/headless'));
    expect(await (await answer).json()).toEqual({ accepted: 0, rejected: [], dropped: { bot: 1 } });
    await page.close();
  });

  test('with consent required and refused, nothing lands', async () => {
    site.setPage('/strict', articleHtml({ head: snippetTag(stack.baseUrl, 'wk_strict_e2e'), script: 'intent.consent(false)' }));
    const page = await newPage();
    await page.goto(site.pageUrl('/strict'));
    await page.evaluate(() => (window as unknown as { intent: { track(e: string): void } }).intent.track('demo_request'));
    await sleep(3000);
    await stack.drain();
    const strict = await stats('strict');
    expect(strict.accepted).toBe(0);
    expect(strict.dropped).toEqual({});
    expect(strict.rejected).toEqual({});
    await page.close();
  });
});

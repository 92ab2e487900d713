import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultSection } from '@intent/config';
import { renderTracker } from '@intent/tracker';
import { chromium } from 'playwright-core';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Articles one reader reads in a session, each to its end and for its engaged-read time. */
const ARTICLES = 3;

export interface SnippetBatching {
  requests: number;
  events: number;
  eventsPerRequest: number;
  byType: Record<string, number>;
}

/**
 * The snippet's real batching: one reader in Chromium (headless, its clock driven by the
 * bench) reads `ARTICLES` articles of a site to their end, long enough for each to count as
 * an engaged read with the default settings, then leaves; a stand-in collector on the same
 * origin counts the requests and the events they carry. Undefined without Chromium.
 */
export async function measureSnippetBatching(): Promise<SnippetBatching | undefined> {
  if (!existsSync(CHROMIUM_PATH)) return undefined;
  const posts: { type: string }[][] = [];
  let endpoint = '';
  const engagedRead = defaultSection('sites').sites[0]?.engagedRead ?? { activeSeconds: 30, scrollPercent: 60 };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST' && url.pathname === '/v1/collect') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        posts.push((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { batch: { type: string }[] }).batch);
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1,"rejected":[]}');
      });
      return;
    }
    const n = Number(/^\/articles\/(\d+)$/.exec(url.pathname)?.[1] ?? 0);
    const script = renderTracker({ endpoint, writeKey: 'wk_bench', consentRequired: false, engagedRead });
    const text = '<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>'.repeat(200);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><html><head><title>Article ${n}</title><script>${script}</script></head><body><h1>Article ${n}</h1>${text}<a id="next" href="/articles/${n + 1}">next</a></body></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    await page.clock.install();
    for (let n = 1; n <= ARTICLES; n++) {
      await page.goto(`${endpoint}/articles/${n}`);
      // Reads on: scrolls down through the article over its engaged time, a step a second.
      const steps = engagedRead.activeSeconds + 5;
      for (let s = 1; s <= steps; s++) {
        await page.mouse.move(100 + s, 100 + s);
        await page.evaluate((f) => window.scrollTo(0, document.body.scrollHeight * f), Math.min(1, s / (steps / 2)));
        await page.clock.runFor(1_000);
      }
    }
    // Leaves: the page hides, and the snippet flushes what it holds with sendBeacon.
    await page.goto('about:blank');
    await new Promise((resolve) => setTimeout(resolve, 500));
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  const events = posts.reduce((n, batch) => n + batch.length, 0);
  const byType: Record<string, number> = {};
  for (const e of posts.flat()) byType[e.type] = (byType[e.type] ?? 0) + 1;
  return { requests: posts.length, events, eventsPerRequest: posts.length ? events / posts.length : 0, byType };
}

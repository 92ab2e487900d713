/**
 * Helpers for browser tests: launching the system Chromium with playwright-core, serving
 * pages from a throw-away HTTP server, and polling for an expected outcome.
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { skipUnless } from '../skips';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Options for a browser suite's `describe`: skipped, and said so at the end of the run, without Chromium. */
export const NEEDS_CHROMIUM = skipUnless(existsSync(CHROMIUM_PATH), {
  what: 'browser tests',
  why: `no Chromium at ${CHROMIUM_PATH}; install it with apt-get install -y chromium or set CHROMIUM_PATH`,
});

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export interface HttpServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

/** Starts `handler` on 127.0.0.1 and a free port. Handler errors answer 500. */
export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): Promise<HttpServer> {
  const server = createServer((req, res) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(err));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export interface SiteServer extends HttpServer {
  /** Adds or replaces the HTML served at `path` (query strings are ignored). */
  setPage(path: string, html: string): void;
  /** Absolute URL of `path` on this site. */
  pageUrl(path: string): string;
}

/** A "customer site": serves the given HTML pages by path, 404 otherwise. */
export async function serveSite(pages: Record<string, string> = {}): Promise<SiteServer> {
  const routes = new Map(Object.entries(pages));
  const server = await listen((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const html = routes.get(path);
    if (html === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(html);
  });
  return {
    ...server,
    setPage: (path, html) => void routes.set(path, html),
    pageUrl: (path) => server.url + path,
  };
}

export interface ArticleOptions {
  title?: string;
  /** What goes at the end of <head>, typically `snippetTag(...)`. */
  head?: string;
  /** An inline script placed at the end of <body> (runs before the async tracker may load). */
  script?: string;
  /** Page height in pixels (default 4000: a long read; use 0 for a page too short to scroll). */
  height?: number;
}

/** An article page of the given height with the snippet in <head>. */
export function articleHtml(options: ArticleOptions = {}): string {
  const { title = 'Test article', head = '', script = '', height = 4000 } = options;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title>${head}</head>
<body style="margin:0">
<article style="min-height:${height}px"><h1>${title}</h1><p>Lorem ipsum.</p><h2 id="section">Section</h2></article>
${script ? `<script>${script}</script>` : ''}
</body></html>`;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something other than undefined/false, or throws on timeout. */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeout = 10_000, interval = 50, what = 'condition' }: { timeout?: number; interval?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(interval);
  }
}

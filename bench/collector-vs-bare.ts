import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import type { LocalStack } from '@intent/local';
import { ingestQueue, queueDepth } from './inspect';
import { type Benchmark, BROWSER_UA, type LoadResult, log, runLoad } from './lib';

const CONNECTIONS = 10;
/** Seconds per side in all, split over alternating rounds. */
const DURATION_SECONDS = 5;
const ROUNDS = 2;

/**
 * The collector's HTTP path (gateway emulator, middy chain, validation, enrichment, SQS send)
 * against the least a Node server can do with the same request: read the body, parse it,
 * answer 202. Both run in this process; autocannon runs in a worker thread.
 */
export const collectorVsBareBenchmark: Benchmark = {
  id: 'collector',
  title: 'Collector vs bare Node HTTP',
  async run(ctx) {
    const { stack } = ctx;
    const site = await firstSite(stack);
    const body = JSON.stringify({
      writeKey: site.writeKey,
      batch: visitorBatch(site.origin ?? 'https://reader.example', site.pathPrefix),
    });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': BROWSER_UA };
    if (site.origin) headers.origin = site.origin;

    // Alternating rounds, so a neighbour's burst on the shared cores hits both sides alike.
    const bare = await startBare();
    const rounds: { bare: LoadResult; collector: LoadResult; leftInQueue: number }[] = [];
    const ingest = ingestQueue(stack);
    const load = (url: string) =>
      runLoad({ url, method: 'POST', headers, body, connections: CONNECTIONS, durationSeconds: DURATION_SECONDS / ROUNDS });
    for (let round = 1; round <= ROUNDS; round++) {
      log(
        `round ${round}/${ROUNDS}: bare node:http, then the collector (site ${site.writeKey}), ${DURATION_SECONDS / ROUNDS} s each`,
      );
      const bareResult = await load(`${bare.url}/v1/collect`);
      const collectorResult = await load(`${stack.baseUrl}/v1/collect`);
      // The rollup consumer works on what the collector queued meanwhile (how far it got tells
      // how much of the machine it took); the rest is purged so the next round starts idle.
      const leftInQueue = await queueDepth(stack, ingest.url);
      await stack.sqs.send(new PurgeQueueCommand({ QueueUrl: ingest.url }));
      rounds.push({ bare: bareResult, collector: collectorResult, leftInQueue });
    }
    await bare.close();

    const bareResult = combine(rounds.map((r) => r.bare));
    const collectorResult = combine(rounds.map((r) => r.collector));
    const left = rounds.reduce((n, r) => n + r.leftInQueue, 0);
    const ratio = collectorResult.requestsPerSecond / bareResult.requestsPerSecond;
    const bad = (r: LoadResult) => r.non2xx + r.errors + r.timeouts;
    return {
      rows: [
        {
          name: 'bare node:http req/s',
          value: bareResult.requestsPerSecond,
          unit: 'req/s',
          note: `mean ${bareResult.latencyMeanMs} ms, p99 ${bareResult.latencyP99Ms} ms${bad(bareResult) ? `, ${bad(bareResult)} failed` : ''}`,
        },
        {
          name: 'collector req/s',
          value: collectorResult.requestsPerSecond,
          unit: 'req/s',
          note: `10 events/req; mean ${collectorResult.latencyMeanMs} ms, p99 ${collectorResult.latencyP99Ms} ms${bad(collectorResult) ? `, ${bad(collectorResult)} failed` : ''}`,
        },
        {
          name: 'collector / bare',
          value: ratio,
          unit: 'ratio',
          note: `rounds ${rounds.map((r) => (r.collector.requestsPerSecond / r.bare.requestsPerSecond).toFixed(3)).join(', ')}; rollup consumer live (${left} of ~${collectorResult.total * 10} queued events left unrolled, purged)`,
        },
      ],
      details: {
        connections: CONNECTIONS,
        durationSeconds: DURATION_SECONDS,
        bodyBytes: Buffer.byteLength(body),
        bare: bareResult,
        collector: collectorResult,
        ingestLeftAfter: left,
      },
    };
  },
};

interface SiteInfo {
  writeKey: string;
  origin?: string;
  pathPrefix: string;
}

/** The first configured site, as the demo left it: its write key, origin and a topic path. */
async function firstSite(stack: LocalStack): Promise<SiteInfo> {
  const res = await fetch(`${stack.baseUrl}/v1/config/sites`, { headers: { authorization: `Bearer ${stack.secrets.adminKey}` } });
  const section = (await res.json()) as {
    sites?: { writeKey: string; allowedOrigins?: string[]; topicRules?: { pathPrefix: string }[] }[];
  };
  const site = section.sites?.[0];
  if (!site) throw new Error(`no site configured (GET /v1/config/sites answered ${res.status})`);
  return {
    writeKey: site.writeKey,
    origin: site.allowedOrigins?.[0],
    pathPrefix: site.topicRules?.[0]?.pathPrefix ?? '/articles/',
  };
}

/**
 * What one anonymous reader's tracker sends in a flush: page views, engaged reads and a
 * pricing visit. An anonymous visitor resolves to no account, so the rollup consumer's share
 * of the machine stays small while the collector is measured.
 */
function visitorBatch(origin: string, pathPrefix: string): Record<string, unknown>[] {
  const now = Date.now();
  return Array.from({ length: 10 }, (_, i) => {
    const path = i === 9 ? '/pricing' : `${pathPrefix}post-${i}`;
    const base = {
      messageId: `bench-collector-${i}`,
      anonymousId: 'bench-collector-visitor',
      timestamp: new Date(now - (10 - i) * 30_000).toISOString(),
      context: { userAgent: BROWSER_UA, page: { url: `${origin}${path}`, referrer: 'https://www.google.com/' } },
      properties: { url: `${origin}${path}`, path, title: `Post ${i}` },
    };
    if (i === 9) return { ...base, type: 'track', event: 'pricing_view' };
    return i % 3 === 2 ? { ...base, type: 'track', event: 'content_read' } : { ...base, type: 'page' };
  });
}

/** A bare server: reads the body, parses it, answers 202 `{"accepted": N}`. */
async function startBare(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let accepted = 0;
      try {
        accepted = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { batch?: unknown[] }).batch?.length ?? 0;
      } catch {
        // not JSON: accepted 0
      }
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accepted }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Rounds of equal length as one: mean rate and latency, worst p99, summed counts. */
function combine(results: LoadResult[]): LoadResult {
  const mean = (f: (r: LoadResult) => number) => results.reduce((n, r) => n + f(r), 0) / results.length;
  const sum = (f: (r: LoadResult) => number) => results.reduce((n, r) => n + f(r), 0);
  const statusCodes: Record<string, number> = {};
  for (const r of results)
    for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  return {
    requestsPerSecond: mean((r) => r.requestsPerSecond),
    total: sum((r) => r.total),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    latencyMeanMs: Math.round(mean((r) => r.latencyMeanMs) * 100) / 100,
    latencyP50Ms: Math.round(mean((r) => r.latencyP50Ms) * 100) / 100,
    latencyP99Ms: Math.max(...results.map((r) => r.latencyP99Ms)),
    statusCodes,
  };
}

import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetQueueAttributesCommand, PurgeQueueCommand } from '@aws-sdk/client-sqs';
import type { LocalStack } from '@intent/local';
import { BROWSER_UA, type Benchmark, type LoadResult, log, runLoad } from './lib';

const CONNECTIONS = 10;
const DURATION_SECONDS = 5;

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
    const body = JSON.stringify({ writeKey: site.writeKey, batch: visitorBatch(site.origin ?? 'https://reader.example', site.pathPrefix) });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': BROWSER_UA };
    if (site.origin) headers.origin = site.origin;

    const bare = await startBare();
    log(`bare node:http: ${DURATION_SECONDS} s, ${CONNECTIONS} connections`);
    const bareResult = await runLoad({ url: `${bare.url}/v1/collect`, method: 'POST', headers, body, connections: CONNECTIONS, durationSeconds: DURATION_SECONDS });
    await bare.close();
    log(`collector POST /v1/collect (site ${site.writeKey}): ${DURATION_SECONDS} s, ${CONNECTIONS} connections`);
    const collectorResult = await runLoad({ url: `${stack.baseUrl}/v1/collect`, method: 'POST', headers, body, connections: CONNECTIONS, durationSeconds: DURATION_SECONDS });

    // The rollup consumer keeps working on what the collector queued; how far it got tells how
    // much of the machine it took. What is left is purged: stop() need not roll it up.
    const ingest = stack.queues.ingest;
    const left = ingest ? await visible(stack, ingest.url) : 0;
    if (ingest) await stack.sqs.send(new PurgeQueueCommand({ QueueUrl: ingest.url }));

    const ratio = collectorResult.requestsPerSecond / bareResult.requestsPerSecond;
    const bad = (r: LoadResult) => r.non2xx + r.errors + r.timeouts;
    return {
      rows: [
        { name: 'bare node:http req/s', value: bareResult.requestsPerSecond, unit: 'req/s', note: `mean ${bareResult.latencyMeanMs} ms, p99 ${bareResult.latencyP99Ms} ms${bad(bareResult) ? `, ${bad(bareResult)} failed` : ''}` },
        { name: 'collector req/s', value: collectorResult.requestsPerSecond, unit: 'req/s', note: `10 events/req; mean ${collectorResult.latencyMeanMs} ms, p99 ${collectorResult.latencyP99Ms} ms${bad(collectorResult) ? `, ${bad(collectorResult)} failed` : ''}` },
        { name: 'collector / bare', value: ratio, unit: 'ratio', note: `same run; rollup consumer live (${left} of ~${collectorResult.total * 10} queued events left unrolled, purged)` },
      ],
      details: { connections: CONNECTIONS, durationSeconds: DURATION_SECONDS, bodyBytes: Buffer.byteLength(body), bare: bareResult, collector: collectorResult, ingestLeftAfter: left },
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
  const section = (await res.json()) as { sites?: { writeKey: string; allowedOrigins?: string[]; topicRules?: { pathPrefix: string }[] }[] };
  const site = section.sites?.[0];
  if (!site) throw new Error(`no site configured (GET /v1/config/sites answered ${res.status})`);
  return { writeKey: site.writeKey, origin: site.allowedOrigins?.[0], pathPrefix: site.topicRules?.[0]?.pathPrefix ?? '/articles/' };
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
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

async function visible(stack: LocalStack, url: string): Promise<number> {
  const out = await stack.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

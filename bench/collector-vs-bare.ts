import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { CreateQueueCommand, DeleteQueueCommand, PurgeQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalStack } from '@intent/local';
import { dynamo } from '@intent/store';
import { ingestQueue, queueDepth } from './inspect';
import { type Benchmark, BROWSER_UA, type LoadResult, log, runLoad } from './lib';
import { unlimited } from './workload';

const CONNECTIONS = 10;
/** Seconds per side in all, split over alternating rounds. */
const DURATION_SECONDS = 8;
const ROUNDS = 4;

/**
 * The collector's HTTP path (gateway emulator, middy chain, validation, rate limits, bot
 * filtering, hashing, enrichment, SQS send) against a minimal forwarder on the same machine:
 * bare `node:http` that reads the body and sends it as one `SendMessage` to the same SQS
 * stand-in, no validation. Both run in this thread (with the SQS stand-in); autocannon runs in
 * a worker thread. Neither side's queue is consumed while it is measured: the forwarder's has
 * no consumer, and the ingest queue's (the rollup, measured by the end-to-end section) is
 * paused, then what the collector queued is purged. Each side's cost: this thread's busy time
 * per request (its event loop utilisation), and the process's CPU time per request (all
 * threads: the load generator and the DynamoDB stand-in included).
 */
export const collectorVsBareBenchmark: Benchmark = {
  id: 'collector',
  title: 'Collector vs minimal forwarder',
  async run(ctx) {
    const { stack } = ctx;
    const site = await firstSite(stack);
    await liftRateLimits(stack);
    const body = JSON.stringify({
      writeKey: site.writeKey,
      batch: visitorBatch(site.origin ?? 'https://reader.example', site.pathPrefix),
    });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': BROWSER_UA };
    if (site.origin) headers.origin = site.origin;

    // Alternating rounds, so a neighbour's burst on the shared cores hits both sides alike.
    const ingest = ingestQueue(stack);
    const bare = await startForwarder();
    const resumeIngest = await stack.pauseIngest();
    const addressWrites = countAddressWrites();
    const rounds: { bare: MeasuredLoad; collector: MeasuredLoad; queued: number }[] = [];
    const load = (url: string) =>
      measured(() =>
        runLoad({ url, method: 'POST', headers, body, connections: CONNECTIONS, durationSeconds: DURATION_SECONDS / ROUNDS }),
      );
    for (let round = 1; round <= ROUNDS; round++) {
      log(
        `round ${round}/${ROUNDS}: the minimal forwarder, then the collector (site ${site.writeKey}), ${DURATION_SECONDS / ROUNDS} s each`,
      );
      const bareResult = await load(`${bare.url}/v1/collect`);
      addressWrites.recording = true;
      const collectorResult = await load(`${stack.baseUrl}/v1/collect`);
      addressWrites.recording = false;
      const queued = await queueDepth(stack, ingest.url);
      await stack.sqs.send(new PurgeQueueCommand({ QueueUrl: ingest.url }));
      rounds.push({ bare: bareResult, collector: collectorResult, queued });
    }
    addressWrites.remove();
    await resumeIngest();
    await bare.close();

    const bareResult = combine(rounds.map((r) => r.bare.load));
    const collectorResult = combine(rounds.map((r) => r.collector.load));
    const bareCost = perRequest(rounds.map((r) => r.bare));
    const collectorCost = perRequest(rounds.map((r) => r.collector));
    const queued = rounds.reduce((n, r) => n + r.queued, 0);
    const ratio = collectorResult.requestsPerSecond / bareResult.requestsPerSecond;
    const bad = (r: LoadResult) => r.non2xx + r.errors + r.timeouts;
    Object.assign(ctx.metrics, {
      'collector.mainThreadMsPerRequest': collectorCost.mainThreadMs,
      'collector.cpuMsPerRequest': collectorCost.cpuMs,
    });
    return {
      rows: [
        {
          name: 'minimal forwarder req/s',
          value: bareResult.requestsPerSecond,
          unit: 'req/s',
          note: `node:http + one SendMessage to the SQS stand-in; mean ${bareResult.latencyMeanMs} ms, p99 ${bareResult.latencyP99Ms} ms${bad(bareResult) ? `, ${bad(bareResult)} failed` : ''}`,
        },
        {
          name: 'collector req/s',
          value: collectorResult.requestsPerSecond,
          unit: 'req/s',
          note: `10 events/req; mean ${collectorResult.latencyMeanMs} ms, p99 ${collectorResult.latencyP99Ms} ms${bad(collectorResult) ? `, ${bad(collectorResult)} failed` : ''}`,
        },
        {
          name: 'collector / minimal forwarder',
          value: ratio,
          unit: 'ratio',
          note: `goal >= 0.5; rounds ${rounds.map((r) => (r.collector.load.requestsPerSecond / r.bare.load.requestsPerSecond).toFixed(3)).join(', ')}; neither queue consumed while measured (${queued} collector messages purged)`,
        },
        {
          name: 'collector address window writes per request',
          value: Math.round((addressWrites.count / Math.max(1, collectorResult.total)) * 1000) / 1000,
          unit: 'writes/req',
          note: `${addressWrites.count} over ${collectorResult.total} requests: each fits this process's share of its address's window (limits lifted; a beacon at the default limits fits too, docs/cost.md)`,
        },
        {
          name: 'collector main-thread ms per request',
          value: collectorCost.mainThreadMs,
          unit: 'ms/req',
          note: `10 events; forwarder ${bareCost.mainThreadMs.toFixed(3)} ms; this thread's busy time (the SQS stand-in's share included)`,
        },
        {
          name: 'collector CPU ms per request',
          value: collectorCost.cpuMs,
          unit: 'ms/req',
          note: `forwarder ${bareCost.cpuMs.toFixed(3)} ms; process CPU time (all threads: load generator, rollup consumer, DynamoDB stand-in)`,
        },
      ],
      details: {
        connections: CONNECTIONS,
        durationSeconds: DURATION_SECONDS,
        bodyBytes: Buffer.byteLength(body),
        forwarder: { ...bareResult, ...bareCost },
        collector: { ...collectorResult, ...collectorCost },
        collectorMessagesPurged: queued,
        addressWindowWrites: addressWrites.count,
      },
    };
  },
};

/**
 * Counts the collector's conditional writes to address rate windows (this thread's handler
 * client) while `recording`: what a request costs in DynamoDB when it does not fit its
 * process's share of its address's window.
 */
function countAddressWrites(): { count: number; recording: boolean; remove(): void } {
  const name = 'benchAddressWindowWrites';
  const counter = {
    count: 0,
    recording: false,
    remove: () => dynamo.middlewareStack.remove(name),
  };
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      const pk = (args.input as { Key?: { pk?: { S?: string } } }).Key?.pk?.S ?? '';
      if (counter.recording && context.commandName === 'UpdateItemCommand' && pk.startsWith('RATE#addr#')) counter.count++;
      return next(args);
    },
    { step: 'initialize', name },
  );
  return counter;
}

/**
 * Puts the sites' rate limits far above what the load sends (what the e2e benchmark's
 * configuration does, when it ran first): the load comes from one address, and a 429 is a
 * cheaper answer than the path measured.
 */
async function liftRateLimits(stack: LocalStack): Promise<void> {
  const headers = { authorization: `Bearer ${stack.secrets.adminKey}`, 'content-type': 'application/json' };
  // The stored section, server keys included (a GET answers them masked).
  const { sites } = await stack.store.config.getAll();
  const res = await fetch(`${stack.baseUrl}/v1/config/sites`, { method: 'PUT', headers, body: JSON.stringify(unlimited(sites)) });
  if (res.status !== 200) throw new Error(`PUT /v1/config/sites answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
}

export interface SiteInfo {
  writeKey: string;
  origin?: string;
  pathPrefix: string;
}

/** The first configured site, as the demo left it: its write key, origin and a topic path. */
export async function firstSite(stack: LocalStack): Promise<SiteInfo> {
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
export function visitorBatch(origin: string, pathPrefix: string): Record<string, unknown>[] {
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

/**
 * The least a collector can be: reads the body and sends it as one `SendMessage` (no
 * validation, no limits, no enrichment) on its own SQS client to the same stand-in, to a queue
 * of its own (the rollup consumer would take its raw bodies for malformed messages and retry
 * them into the DLQ); 202 once SQS took it. The queue goes when the server closes.
 */
async function startForwarder(): Promise<{ url: string; close: () => Promise<void> }> {
  const endpoint = process.env.AWS_ENDPOINT_URL_SQS;
  if (!endpoint) throw new Error('AWS_ENDPOINT_URL_SQS is not set: start the stack first');
  const client = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    useQueueUrlAsEndpoint: false,
  });
  const { QueueUrl: queueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'bench-minimal-forwarder' }));
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: text })).then(
        () => {
          res.writeHead(202, { 'content-type': 'application/json' });
          res.end('{"accepted":1}');
        },
        (err: unknown) => {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'enqueue_failed', message: String(err) } }));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await client.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
      client.destroy();
    },
  };
}

interface MeasuredLoad {
  load: LoadResult;
  /** This thread's busy milliseconds during the load (event loop utilisation x time). */
  mainThreadMs: number;
  /** The process's CPU milliseconds (user + system, every thread) during the load. */
  cpuMs: number;
}

/** Runs a load and measures this thread's busy time and the process's CPU time around it. */
async function measured(run: () => Promise<LoadResult>): Promise<MeasuredLoad> {
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const load = await run();
  const usedCpu = process.cpuUsage(cpu);
  return {
    load,
    mainThreadMs: performance.eventLoopUtilization(elu).active,
    cpuMs: (usedCpu.user + usedCpu.system) / 1000,
  };
}

/** Milliseconds per completed request over the rounds. */
function perRequest(rounds: MeasuredLoad[]): { mainThreadMs: number; cpuMs: number } {
  const requests = rounds.reduce((n, r) => n + r.load.total, 0) || 1;
  const sum = (f: (r: MeasuredLoad) => number) => rounds.reduce((n, r) => n + f(r), 0);
  return {
    mainThreadMs: Math.round((sum((r) => r.mainThreadMs) / requests) * 1000) / 1000,
    cpuMs: Math.round((sum((r) => r.cpuMs) / requests) * 1000) / 1000,
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

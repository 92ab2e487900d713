import { request } from 'node:http';
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { LIMITS } from '@intent/config';
import type { LocalStack } from '@intent/local';
import { RATE_WINDOW_MS } from '@intent/pipeline';
import { percentile } from './hot-day-freshness';
import { ingestQueue } from './inspect';
import { type Benchmark, BROWSER_UA, log, runLoad, sleep } from './lib';

const FLOODED = { id: 'flood-a', name: 'Flooded site', writeKey: 'wk_flood_a_bench', allowedOrigins: ['https://a.example'] };
const NEIGHBOUR = { id: 'flood-b', name: 'Neighbour site', writeKey: 'wk_flood_b_bench', allowedOrigins: ['https://b.example'] };
const CONNECTIONS = 10;
const DURATION_SECONDS = 6;
/** The flooded site keeps the default address limit. */
const ADDRESS_LIMIT = LIMITS.defaultAddressRateLimit;
/** The neighbour's beacons: a snippet's flush of 10 events every BEACON_EVERY_MS, from another address. */
const BEACON_EVERY_MS = 50;
const BEACON_FROM = '127.0.0.2';

/** One beacon of the neighbour site: its status and round trip. */
export interface BeaconSample {
  status: number;
  ms: number;
}

/** What the neighbour's beacons got while the flood ran: the share accepted is the figure. */
export function beaconSummary(samples: BeaconSample[]): {
  sent: number;
  accepted: number;
  acceptedShare: number;
  p50Ms: number;
  p95Ms: number;
} {
  const accepted = samples.filter((s) => s.status === 202).length;
  const ms = samples.map((s) => s.ms);
  return {
    sent: samples.length,
    accepted,
    acceptedShare: samples.length ? accepted / samples.length : Number.NaN,
    p50Ms: percentile(ms, 50),
    p95Ms: percentile(ms, 95),
  };
}

/**
 * The rate windows a run from `startMs` to `endMs` touched: the limit holds per window, and a
 * run that starts or ends inside one has part of that window's budget too.
 */
export function windowsTouched(startMs: number, endMs: number): number {
  return Math.floor(endMs / RATE_WINDOW_MS) - Math.floor(startMs / RATE_WINDOW_MS) + 1;
}

/** A batch of `n` page views from one anonymous visitor of `origin`. */
export function floodBatch(origin: string, n: number, tag: string): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    type: 'page',
    messageId: `${tag}-${i}`,
    anonymousId: `${tag}-visitor`,
    properties: { url: `${origin}/articles/${i}` },
  }));
}

/**
 * One client floods site A from one address (autocannon, the default limits) while site B's
 * snippet flushes beacons from another address: the collector's rate under the flood, its
 * share refused with 429, and the share of B's beacons accepted (1.000 when the flood starves
 * nobody). The two sites are added to the configured ones for the run, then removed.
 */
export const floodBenchmark: Benchmark = {
  id: 'flood',
  title: 'One address flooding a site, another site’s beacons meanwhile',
  async run(ctx) {
    const { stack } = ctx;
    const restore = await addSites(stack);
    try {
      const startedAt = Date.now();
      const flood = runLoad({
        url: `${stack.baseUrl}/v1/collect`,
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: FLOODED.allowedOrigins[0] as string, 'user-agent': BROWSER_UA },
        body: JSON.stringify({ writeKey: FLOODED.writeKey, batch: floodBatch('https://a.example', 10, 'flood') }),
        connections: CONNECTIONS,
        durationSeconds: DURATION_SECONDS,
      });
      const samples: BeaconSample[] = [];
      const until = performance.now() + DURATION_SECONDS * 1000;
      for (let i = 0; performance.now() < until; i++) {
        samples.push(await beacon(stack, floodBatch('https://b.example', 10, `beacon-${Date.now()}-${i}`)));
        await sleep(BEACON_EVERY_MS);
      }
      const load = await flood;
      const windows = windowsTouched(startedAt, Date.now());
      const accepted = (load.total - load.non2xx) * 10;
      const limit = (ADDRESS_LIMIT * RATE_WINDOW_MS) / 1000;
      const beacons = beaconSummary(samples);
      const refused = load.statusCodes['429'] ?? 0;
      log(
        `flood: ${load.requestsPerSecond.toFixed(0)} req/s, ${refused} of ${load.total} refused; beacons ${beacons.accepted}/${beacons.sent}`,
      );
      return {
        rows: [
          {
            name: 'flood: collector answers/s, one address',
            value: load.requestsPerSecond,
            unit: 'req/s',
            note: `10 events/req; ${load.total ? ((refused / load.total) * 100).toFixed(1) : 0}% answered 429; p99 ${load.latencyP99Ms} ms`,
          },
          {
            name: 'flood: events accepted from that address per window',
            value: accepted / windows,
            unit: 'events',
            note: `the site’s addressRateLimit (default ${ADDRESS_LIMIT}/s) admits ${limit} a ${RATE_WINDOW_MS / 1000} s window; ${accepted} events over the ${windows} windows the ${DURATION_SECONDS} s flood touched`,
          },
          {
            name: 'flood: second site’s beacons accepted',
            value: beacons.acceptedShare,
            unit: 'ratio',
            note: `${beacons.accepted} of ${beacons.sent} beacons of 10 events; p50 ${beacons.p50Ms.toFixed(0)} ms, p95 ${beacons.p95Ms.toFixed(0)} ms`,
          },
        ],
        details: { flood: load, beacons },
      };
    } finally {
      await restore();
      // What the flood queued is not this benchmark's to roll up.
      await stack.sqs.send(new PurgeQueueCommand({ QueueUrl: ingestQueue(stack).url }));
    }
  },
};

/** Adds the two sites to the configured ones; answers how to put the section back. */
async function addSites(stack: LocalStack): Promise<() => Promise<void>> {
  const put = (body: unknown) =>
    fetch(`${stack.baseUrl}/v1/config/sites`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${stack.secrets.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const before = (await (
    await fetch(`${stack.baseUrl}/v1/config/sites`, { headers: { authorization: `Bearer ${stack.secrets.adminKey}` } })
  ).json()) as { sites: unknown[] };
  const res = await put({ sites: [...before.sites, FLOODED, NEIGHBOUR] });
  if (res.status !== 200) throw new Error(`PUT /v1/config/sites answered ${res.status}: ${await res.text()}`);
  // The collector's configuration cache lives 5 s.
  await sleep(5_500);
  // A masked server key put back as GET showed it keeps the stored key.
  return async () => void (await put(before));
}

/** One beacon of the neighbour site, from another loopback address than the flood's. */
function beacon(stack: LocalStack, batch: unknown[]): Promise<BeaconSample> {
  const url = new URL('/v1/collect', stack.baseUrl);
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: BEACON_FROM,
        headers: { 'content-type': 'text/plain', origin: NEIGHBOUR.allowedOrigins[0], 'user-agent': BROWSER_UA },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(JSON.stringify({ writeKey: NEIGHBOUR.writeKey, batch }));
  });
}

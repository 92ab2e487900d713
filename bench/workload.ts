import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LocalStack } from '@intent/local';
import { generateFallback } from './fallback-demo';
import { log } from './lib';

/** One event to post, as the demo generator produces it. */
export interface DemoEvent {
  writeKey: string;
  event: Record<string, unknown>;
}

/** The interface of `scripts/demo/generate.ts` (`npm run demo` replays the same month). */
export interface DemoData {
  /** Configuration sections by name, each the body of `PUT /v1/config/{section}`. */
  config: Record<string, unknown>;
  /** Firmographics, the body of `PUT /v1/accounts` as `{accounts}`. */
  accounts: unknown[];
  events: DemoEvent[];
}

export type GenerateDemo = (options: { seed: number; endDate: Date; scale?: number }) => DemoData | Promise<DemoData>;

export interface Workload {
  data: DemoData;
  /** Which generator made it. */
  source: string;
}

const DEMO_GENERATOR = resolve(dirname(fileURLToPath(import.meta.url)), '../scripts/demo/generate.ts');
/** The order of CONTRACT.md: sites before topics before signals, and so on. */
const SECTION_ORDER = ['sites', 'topics', 'signals', 'icp', 'pods', 'audiences', 'sla'];

/**
 * The demo month from `scripts/demo/generate.ts` (seed 7, ending now), or, if that module is
 * missing or does not answer its interface, the bench's own generator with a similar mix.
 */
export async function loadWorkload(scale: number): Promise<Workload> {
  const options = { seed: 7, endDate: new Date(), scale };
  if (existsSync(DEMO_GENERATOR)) {
    try {
      // A path in a variable: the module is a colleague's and may not exist at type-check time.
      const module = (await import(pathToFileURL(DEMO_GENERATOR).href)) as { generateDemo?: GenerateDemo };
      if (typeof module.generateDemo !== 'function') throw new Error('it exports no generateDemo()');
      const data = await module.generateDemo(options);
      checkShape(data);
      return { data, source: 'scripts/demo/generate.ts' };
    } catch (err) {
      log(`demo generator unusable (${(err as Error).message}); using bench/fallback-demo.ts`);
    }
  } else {
    log('scripts/demo/generate.ts not found; using bench/fallback-demo.ts');
  }
  return { data: generateFallback(options), source: 'bench/fallback-demo.ts' };
}

function checkShape(data: DemoData): void {
  if (!data || typeof data !== 'object' || !Array.isArray(data.events) || typeof data.config !== 'object') {
    throw new Error('generateDemo() did not answer {config, accounts, events}');
  }
  const bad = data.events.find((e) => typeof e?.writeKey !== 'string' || !e.event || typeof e.event !== 'object');
  if (bad) throw new Error('an event is not {writeKey, event}');
}

/**
 * The sites with rate limits far above what the bench posts: it sends every visitor's events
 * from this one machine's address as fast as the collector takes them, and measures the
 * pipeline, not the limiter (whose counter writes it still pays and counts).
 */
export function unlimited(sites: unknown): unknown {
  const section = sites as { sites?: Record<string, unknown>[] };
  if (!Array.isArray(section?.sites)) return sites;
  return { ...section, sites: section.sites.map((s) => ({ ...s, rateLimit: 1_000_000, addressRateLimit: 1_000_000 })) };
}

/** Configures the stack as the demo does: every config section, then the accounts (may 404 for now). */
export async function configure(stack: LocalStack, data: DemoData): Promise<{ sections: string[]; accountsStatus: number }> {
  const adminKey = stack.secrets.adminKey;
  const sections = Object.keys(data.config).sort((a, b) => order(a) - order(b));
  for (const section of sections) {
    const value = section === 'sites' ? unlimited(data.config[section]) : data.config[section];
    const res = await send(stack, 'PUT', `/v1/config/${section}`, adminKey, value);
    if (res.status !== 200) throw new Error(`PUT /v1/config/${section} answered ${res.status}: ${res.text.slice(0, 300)}`);
  }
  let accountsStatus = 0;
  if (data.accounts.length) {
    const res = await send(stack, 'PUT', '/v1/accounts', adminKey, { accounts: data.accounts });
    accountsStatus = res.status;
    if (res.status >= 300) log(`PUT /v1/accounts answered ${res.status} (ignored: the route may not exist yet)`);
  }
  // Each configuration change starts a job (a re-score or a re-materialisation): let them end
  // before anything is measured, so their requests are not counted as the traffic's.
  await stack.drain(120_000);
  return { sections, accountsStatus };
}

const order = (section: string) => {
  const i = SECTION_ORDER.indexOf(section);
  return i === -1 ? SECTION_ORDER.length : i;
};

async function send(stack: LocalStack, method: string, path: string, key: string, body: unknown) {
  const res = await fetch(`${stack.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

/**
 * How each site's events are sent: with the site's server key and no Origin, as a forwarder,
 * when it has one; else with the Origin a browser on the site would send (its first allowed origin). The demo's traffic all leaves
 * this one machine, so it comes as a server-side forwarder's would, with each simulated
 * visitor's `context.ip`, which only the server key may assert (as `npm run demo` sends it).
 */
export function sendersByWriteKey(config: Record<string, unknown>): Map<string, Sender> {
  const sites = ((config.sites as { sites?: unknown[] } | undefined)?.sites ?? []) as {
    writeKey?: string;
    serverWriteKey?: string;
    allowedOrigins?: string[];
  }[];
  return new Map(
    sites
      .filter((s) => s.writeKey)
      // A forwarder sends no Origin: with one, the collector takes this machine's address as the client's.
      .map((s) => [
        s.writeKey as string,
        s.serverWriteKey ? { key: s.serverWriteKey } : { origin: s.allowedOrigins?.[0], key: s.writeKey as string },
      ]),
  );
}

export interface Sender {
  origin?: string;
  /** The write key the requests carry. */
  key: string;
}

/** At most 100 events per request, as the collector allows. */
const BATCH = 100;

export interface Batch {
  writeKey: string;
  origin?: string;
  events: Record<string, unknown>[];
}

/** Each write key's events in their order, in batches of 100 sent as `senders` says; write keys interleaved batch by batch. */
export function toBatches(events: DemoEvent[], senders: Map<string, Sender>): Batch[] {
  const byKey = new Map<string, Record<string, unknown>[]>();
  for (const { writeKey, event } of events) {
    const list = byKey.get(writeKey) ?? [];
    list.push(event);
    byKey.set(writeKey, list);
  }
  const lanes = [...byKey].map(([writeKey, list]) => {
    const out: Batch[] = [];
    for (let i = 0; i < list.length; i += BATCH)
      out.push({
        writeKey: senders.get(writeKey)?.key ?? writeKey,
        origin: senders.get(writeKey)?.origin,
        events: list.slice(i, i + BATCH),
      });
    return out;
  });
  const batches: Batch[] = [];
  for (let i = 0; lanes.some((l) => i < l.length); i++) for (const lane of lanes) if (lane[i]) batches.push(lane[i] as Batch);
  return batches;
}

import type { LocalStack } from '@intent/local';
import { type LaneKeys, postBatch, waitForRollup } from './hot-day-post';
import {
  COMPANY,
  HOT_DAY_SITE,
  hotDayAccounts,
  hotDayConfig,
  MARKER_POD,
  markerIdentify,
  raiseMarkerDomain,
  TOPICS,
} from './hot-day-workload';
import { clearTable } from './inspect';
import { benchDynamo, log, sleep } from './lib';

export type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown; text: string }>;

/** The admin API of the stack, JSON in and out; never throws on a status (callers check it). */
export function adminApi(stack: LocalStack): Api {
  return async (method, path, body) => {
    const res = await fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.secrets.adminKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text };
  };
}

async function ok(api: Api, method: string, path: string, body?: unknown) {
  const res = await api(method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
  return res;
}

/** Config caches in the functions live 5 s (ConfigCache); the rollup's IP ranges 60 s (IpRangeCache). */
const CONFIG_TTL_MS = 5_500;
const PROBE_BUDGET_MS = 90_000;
const PROBE_EVERY_MS = 6_000;

export interface HotDaySetup {
  keys: LaneKeys;
  /** The site kept `serverWriteKey` (the stack knows server keys): the server lane uses it. */
  serverKeyHonoured: boolean;
  /** Fields the sites schema refused (e.g. a bounded `rateLimit`), dropped for this run. */
  droppedSiteFields: string[];
  clearedItems: number;
  probes: number;
  accounts: number;
}

/**
 * A clean stack for the hot day: deletes what earlier benchmarks left (the re-score that
 * every scoring config change runs walks every live account, and the counts must be this
 * benchmark's only), configures the site, topics, ICP and pods through the API, the
 * firmographics and the company's IP range, then waits until the collector takes the site's
 * events and the rollup consumer resolves the company's range (its cache may hold older
 * ranges for up to a minute), and identifies the markers' visitors.
 */
export async function setUpHotDay(stack: LocalStack, markers: { read: number; raise: number }): Promise<HotDaySetup> {
  const api = adminApi(stack);
  const { client, tableName } = benchDynamo();
  const clearedItems = await clearTable(client, tableName).finally(() => client.destroy());
  if (clearedItems) log(`deleted ${clearedItems} items earlier benchmarks left`);

  const config = hotDayConfig();
  const droppedSiteFields = await putSites(api, config.sites as { sites: Record<string, unknown>[] });
  for (const [section, value] of Object.entries(config))
    if (section !== 'sites') await ok(api, 'PUT', `/v1/config/${section}`, value);
  const configuredAt = performance.now();
  const accounts = hotDayAccounts(markers.read, markers.raise);
  await ok(api, 'PUT', '/v1/accounts', { accounts });
  await ok(api, 'PUT', '/v1/ip-ranges', { ranges: [{ cidr: COMPANY.cidr, domain: COMPANY.domain }] });

  const sites = (await ok(api, 'GET', '/v1/config/sites')).body as { sites: { id: string; serverWriteKey?: string }[] };
  const serverKeyHonoured = Boolean(sites.sites.find((s) => s.id === HOT_DAY_SITE.id)?.serverWriteKey);
  // Both lanes post with the server key where the stack has one. The browser lane's visitors all
  // leave this one machine's address, which the collector rightly treats as one client: its
  // per-address rate limit and its quarantine of an address that claims many companies a day
  // would stop the day (docs/security.md). A real site's visitors come from their own addresses.
  const key = serverKeyHonoured ? HOT_DAY_SITE.serverWriteKey : HOT_DAY_SITE.writeKey;
  const keys = { browser: key, server: key };
  log(
    `configured site ${HOT_DAY_SITE.id} (${TOPICS.length} topics), ${accounts.length} accounts, ${COMPANY.cidr} -> ${COMPANY.domain}; ` +
      `both lanes use ${serverKeyHonoured ? 'the server write key' : 'the public write key (no server keys in this stack)'}`,
  );
  await sleep(Math.max(0, CONFIG_TTL_MS - (performance.now() - configuredAt)));
  const probes = await probeCompanyRange(stack, api, keys);

  const at = new Date();
  const identifies = [
    ...Array.from({ length: markers.read }, (_, m) => markerIdentify('read', m, at)),
    ...Array.from({ length: markers.raise }, (_, m) => markerIdentify('raise', m, at)),
  ];
  for (let i = 0; i < identifies.length; i += 100) {
    const out = await postBatch(stack, keys, { lane: 'browser', events: identifies.slice(i, i + 100) });
    if (out.accepted !== Math.min(100, identifies.length - i))
      throw new Error(
        `identifying the markers' visitors: ${out.error ?? `${out.accepted} accepted, ${out.rejectedCodes.join(', ')}`}`,
      );
  }
  const settled = await waitForRollup(stack, 120_000);
  if (settled.failedAwaitingRetry) throw new Error(`${settled.failedAwaitingRetry} marker identifies failed in the rollup`);
  const raise = (await ok(api, 'GET', `/v1/accounts/${raiseMarkerDomain(0)}`)).body as { fit?: { tier?: string }; pod?: string };
  if (!['A', 'B'].includes(raise.fit?.tier ?? '') || raise.pod !== MARKER_POD)
    throw new Error(
      `hand-raise marker accounts must be tier A/B in pod ${MARKER_POD}: got ${JSON.stringify(raise).slice(0, 300)}`,
    );
  return { keys, serverKeyHonoured, droppedSiteFields, clearedItems, probes, accounts: accounts.length };
}

/** PUT sites; a field the schema bounds or refuses is dropped (and said), the rest must be accepted. */
async function putSites(api: Api, sites: { sites: Record<string, unknown>[] }): Promise<string[]> {
  const first = await api('PUT', '/v1/config/sites', sites);
  if (first.status < 300) return [];
  const details = ((first.body as { error?: { details?: { path?: string }[] } })?.error?.details ?? []).map((d) =>
    String(d.path),
  );
  const optional = ['rateLimit', 'addressRateLimit', 'serverWriteKey', 'trustBrowserTraits'];
  const dropped = optional.filter((f) => details.some((p) => p.endsWith(f)));
  if (first.status !== 400 || !dropped.length)
    throw new Error(`PUT /v1/config/sites answered ${first.status}: ${first.text.slice(0, 300)}`);
  log(`the sites schema refused ${dropped.join(', ')} (${first.text.slice(0, 200)}); configuring without`);
  const retry = { sites: sites.sites.map((s) => Object.fromEntries(Object.entries(s).filter(([k]) => !dropped.includes(k)))) };
  await ok(api, 'PUT', '/v1/config/sites', retry);
  return dropped;
}

/**
 * Posts an engaged read from the company's network (timestamped now: not on the hot day) until
 * the company's account shows it: the collector takes the site's write keys and the rollup
 * consumer's IP-range cache holds the company's range. A read the consumer could not resolve
 * stays anonymous, so each try is a new visitor and message.
 */
async function probeCompanyRange(stack: LocalStack, api: Api, keys: LaneKeys): Promise<number> {
  const started = performance.now();
  const topic = TOPICS[0];
  for (let probe = 1; performance.now() - started < PROBE_BUDGET_MS; probe++) {
    const url = `${HOT_DAY_SITE.origin}/t/${topic}/probe`;
    const event = {
      type: 'track',
      event: 'content_read',
      messageId: `hd-probe-${probe}`,
      anonymousId: `hd-probe-v${probe}`,
      timestamp: new Date().toISOString(),
      properties: { topics: [topic], url },
      context: { ip: '198.18.255.254', page: { url } },
    };
    const out = await postBatch(stack, keys, { lane: 'server', events: [event] });
    if (out.accepted !== 1) {
      log(`probe ${probe}: the collector answered ${out.error ?? out.rejectedCodes.join(', ')}; trying again`);
      await sleep(1_000);
      continue;
    }
    const until = performance.now() + PROBE_EVERY_MS;
    while (performance.now() < until) {
      const res = await api('GET', `/v1/accounts/${COMPANY.domain}`);
      const reads = (res.body as { intent?: { topics?: { topic: string; reads: number }[] } } | undefined)?.intent?.topics?.find(
        (t) => t.topic === topic,
      )?.reads;
      if (res.status === 200 && (reads ?? 0) > 0) return probe;
      await sleep(250);
    }
  }
  throw new Error(
    `the rollup consumer did not resolve ${COMPANY.cidr} to ${COMPANY.domain} within ${PROBE_BUDGET_MS / 1000} s of probes`,
  );
}

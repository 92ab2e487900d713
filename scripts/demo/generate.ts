import { IcpSection } from '@intent/config';
import { scoreFit } from '@intent/fit';
import { type DemoAccount, makeAccounts, STRATEGIC_DOMAINS } from './accounts';
import { backgroundCounts, runBackground } from './background';
import { buildCatalog } from './catalog';
import { buildConfig } from './config';
import { LEADS_PER_SCALE, runLeads } from './leads';
import { Rng } from './random';
import { runScenarios } from './scenarios';
import { DAY, Simulator } from './simulator';

/**
 * A deterministic synthetic month of traffic on six owned media sites: the configuration to
 * PUT, the firmographics to load, the events to post, and the scenario accounts to look at.
 * Same options, same data: a seeded PRNG, and `endDate` instead of the clock.
 */

export interface DemoOptions {
  seed?: number;
  endDate: Date;
  /** Length of the month, in days (default 30). */
  days?: number;
  /** How many accounts to load (default 2000). */
  accounts?: number;
  /** Multiplies the background visitor counts; 1 is the demo's size. */
  scale?: number;
}

export interface DemoData {
  /** Bodies for `PUT /v1/config/{section}`, in the contract's order. */
  config: { sites: unknown; topics: unknown; signals: unknown; icp: unknown; pods: unknown; audiences: unknown; sla: unknown };
  // No `destinations`: the demo leaves where changes are pushed to whoever runs it.
  /** Firmographics for `PUT /v1/accounts`; some fields unknown on purpose. */
  accounts: DemoAccount[];
  /** Segment-shaped events with the write key of the site that sends them, sorted by timestamp. */
  events: Array<{ writeKey: string; event: Record<string, unknown> }>;
  /** Named scenario -> account domain. */
  scenarios: Record<string, string>;
}

export type { DemoAccount };

export const DEFAULT_SEED = 20240615;

export function generateDemo(options: DemoOptions): DemoData {
  const seed = options.seed ?? DEFAULT_SEED;
  const days = options.days ?? 30;
  const scale = options.scale ?? 1;
  const end = options.endDate.getTime();
  if (!Number.isFinite(end)) throw new Error('endDate must be a valid date');
  if (!(days >= 1)) throw new Error('days must be at least 1');
  if (!(scale >= 0)) throw new Error('scale must not be negative');

  const root = new Rng(seed);
  const catalog = buildCatalog(root.fork('catalog'));
  const { accounts, pool } = makeAccounts(root.fork('accounts'), options.accounts ?? 2000);
  const used = new Set<string>();

  const ids = new Set<string>();
  const scenarioSim = new Simulator(root.fork('scenarios'), end - days * DAY, end, ids);
  const scenarios = runScenarios(scenarioSim, catalog, pool, used);
  const backgroundSim = new Simulator(root.fork('background'), end - days * DAY, end, ids);
  runBackground(backgroundSim, catalog, pool, used, backgroundCounts(scale));
  const config = buildConfig(STRATEGIC_DOMAINS);
  const icp = IcpSection.parse(config.icp);
  const fitting = pool.filter((a) => {
    const fit = scoreFit(a, icp);
    return !fit.excluded && icp.salesReadyTiers.includes(fit.tier);
  });
  const leadsSim = new Simulator(root.fork('leads'), end - days * DAY, end, ids);
  runLeads(leadsSim, catalog, fitting, used, Math.round(LEADS_PER_SCALE * scale));

  return {
    config,
    accounts,
    events: mergeByTime(mergeByTime(scenarioSim.events(), leadsSim.events()), backgroundSim.events()),
    scenarios,
  };
}

/** Merges two timestamp-sorted lists, keeping ties in list order. */
function mergeByTime<T extends { event: Record<string, unknown> }>(a: T[], b: T[]): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && String(x.event.timestamp) <= String(y.event.timestamp))) {
      out.push(x as T);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}

import type { DemoAccount } from './accounts';
import { BOT_UA, type Catalog, FIRST_NAMES, FREE_MAIL, LAST_NAMES, type Page } from './catalog';
import { worker } from './scenarios';
import { DAY, type Person, type Simulator } from './simulator';
import { SITES, type SiteSpec } from './sites';

/**
 * The traffic around the scenarios: anonymous readers who never identify, identified readers
 * at accounts of every kind, free-mail sign-ups and crawlers. Counts scale with `scale`.
 */

export interface BackgroundCounts {
  anonymous: number;
  identified: number;
  freeMail: number;
  bots: number;
}

export function backgroundCounts(scale: number): BackgroundCounts {
  return {
    anonymous: Math.round(4200 * scale),
    identified: Math.round(450 * scale),
    freeMail: Math.round(220 * scale),
    bots: Math.max(1, Math.round(4 * scale)),
  };
}

interface Habits {
  sessions: number;
  pagesPerSession: number;
  readProb: number;
  downloadProb: number;
  /** Chance a session ends on the pricing page. */
  pricingProb: number;
}

export function runBackground(
  sim: Simulator,
  catalog: Catalog,
  pool: DemoAccount[],
  used: Set<string>,
  counts: BackgroundCounts,
) {
  const rng = sim.rng;
  for (let i = 0; i < counts.anonymous; i++) {
    browse(sim, catalog, sim.person(), {
      sessions: rng.geometric(0.45),
      pagesPerSession: 0.5,
      readProb: 0.3,
      downloadProb: 0,
      pricingProb: 0.006,
    });
  }
  for (let i = 0; i < counts.identified; i++) {
    const account = rng.pick(pool);
    const p = worker(sim, used, account.domain, rng.chance(0.5) ? account.name : undefined, account.region);
    browse(sim, catalog, p, {
      sessions: rng.geometric(0.6),
      pagesPerSession: 0.55,
      readProb: 0.5,
      downloadProb: 0.08,
      pricingProb: 0.01,
    });
  }
  for (let i = 0; i < counts.freeMail; i++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const email = `${first}.${last}${rng.int(1, 999)}@${rng.pick(FREE_MAIL)}`;
    const p = sim.person({ email, firstName: first, lastName: last });
    browse(sim, catalog, p, {
      sessions: rng.geometric(0.55),
      pagesPerSession: 0.5,
      readProb: 0.45,
      downloadProb: 0.12,
      pricingProb: 0.01,
    });
  }
  const allPages = [...catalog.articles, ...catalog.assets, ...catalog.other];
  for (let i = 0; i < counts.bots; i++) {
    const bot = sim.person({ ua: BOT_UA, region: 'na' });
    for (let day = sim.start; day < sim.end; day += DAY) {
      if (rng.chance(0.5))
        sim.crawl(bot, rng.sample(allPages, rng.int(8, 26)), Math.round(rng.float(day, Math.min(day + DAY, sim.end - DAY / 24))));
    }
  }
}

/**
 * One visitor's month: a home site (sometimes a second), one or two favourite topics, a few
 * sessions in time order. A visitor with an e-mail identifies at the start of one session
 * (usually the first); what they did before that stays anonymous.
 */
function browse(sim: Simulator, catalog: Catalog, p: Person, habits: Habits) {
  const rng = sim.rng;
  const home = pickSite(sim);
  const second = rng.chance(0.2) ? pickSite(sim) : home;
  const homeTopics = [...new Set(home.sections.flatMap((s) => s.topics))];
  const interests = new Set(rng.sample(homeTopics, rng.int(1, 2)));
  const starts = Array.from({ length: habits.sessions }, () => sim.moment(p, sim.start, sim.end - DAY / 24)).sort(
    (a, b) => a - b,
  );
  if (p.email) p.identifyFrom = starts[rng.chance(0.6) ? 0 : rng.int(0, starts.length - 1)] ?? sim.start;

  for (const start of starts) {
    const site = rng.chance(0.85) ? home : second;
    const own = catalog.bySite.get(site.id);
    if (!own) continue;
    const favourites = own.articles.filter((a) => a.topics.some((t) => interests.has(t)));
    let t = start;
    const pages = rng.geometric(habits.pagesPerSession, 1, 8);
    for (let k = 0; k < pages; k++) {
      const referrer = k === 0 ? sim.referrer() : undefined;
      const page: Page = rng.chance(k === 0 ? 0.7 : 0.75)
        ? rng.pick(favourites.length && rng.chance(0.7) ? favourites : own.articles)
        : rng.pick(own.other);
      t =
        page.kind === 'article' && rng.chance(habits.readProb) ? sim.read(p, page, t, referrer) : sim.page(p, page, t, referrer);
    }
    if (own.assets.length && rng.chance(habits.downloadProb)) t = sim.download(p, rng.pick(own.assets), t);
    if (rng.chance(habits.pricingProb)) sim.pricing(p, site, t, [rng.pick(homeTopics)]);
  }
}

function pickSite(sim: Simulator): SiteSpec {
  return sim.rng.weighted(SITES.map((s) => [s, s.traffic] as const));
}

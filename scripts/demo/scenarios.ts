import { type DemoAccount, SCENARIO_ACCOUNTS } from './accounts';
import { type Catalog, FIRST_NAMES, LAST_NAMES, type Page } from './catalog';
import { DAY, type Person, type Region, type Simulator } from './simulator';
import { SITES, type TopicId } from './sites';

/**
 * The behaviours the demo is about: buying committees that should top their pod's queue, and
 * the classic false positives (a student, a competitor, a startup that downloads everything)
 * that must not reach a queue however much they read.
 */

const HOUR = DAY / 24;
const REGION_OF: Record<string, Region> = { na: 'na', emea: 'emea', apac: 'apac', latam: 'latam' };

/** A named person with a work address at `domain` (`first.last@domain`), distinct within the run. */
export function worker(
  sim: Simulator,
  used: Set<string>,
  domain: string,
  company: string | undefined,
  region?: string,
  identifyFrom?: number,
): Person {
  const rng = sim.rng;
  let first = rng.pick(FIRST_NAMES);
  let last = rng.pick(LAST_NAMES);
  while (used.has(`${first}.${last}@${domain}`)) {
    first = rng.pick(FIRST_NAMES);
    last = rng.pick(LAST_NAMES);
  }
  const email = `${first}.${last}@${domain}`;
  used.add(email);
  return sim.person({
    email,
    firstName: first,
    lastName: last,
    company,
    region: region ? REGION_OF[region] : undefined,
    identifyFrom,
  });
}

/** `count` distinct moments in [from, to], in time order. */
function moments(sim: Simulator, p: Person, count: number, from: number, to: number): number[] {
  return Array.from({ length: count }, () => sim.moment(p, from, to)).sort((a, b) => a - b);
}

interface CommitteePlan {
  account: DemoAccount;
  topic: TopicId;
  people: [number, number];
  readsEach: [number, number];
  /** Days before the end of the month: the committee's reading window. */
  fromDaysAgo: number;
  toDaysAgo: number;
}

/** Several people from one account reading several articles each on one topic within days. */
function committee(sim: Simulator, catalog: Catalog, used: Set<string>, plan: CommitteePlan) {
  const rng = sim.rng;
  const pages = catalog.byTopic.get(plan.topic) ?? [];
  const from = sim.end - plan.fromDaysAgo * DAY;
  const to = Math.min(sim.end - HOUR, sim.end - plan.toDaysAgo * DAY);
  const size = rng.int(...plan.people);
  for (let i = 0; i < size; i++) {
    const p = worker(sim, used, plan.account.domain, plan.account.name, plan.account.region);
    const articles = rng.sample(pages, rng.int(...plan.readsEach));
    const times = moments(sim, p, articles.length, from, to);
    articles.forEach((article, k) => {
      let t = times[k] as number;
      if (rng.chance(0.4)) t = sim.page(p, rng.pick(catalog.bySite.get(article.site.id)?.other ?? []), t, sim.referrer());
      sim.read(p, article, t, k === 0 ? 'https://www.linkedin.com/' : undefined);
    });
  }
}

/** One person working through `pages` over the month, a few per session. */
function binge(sim: Simulator, p: Person, pages: Page[], act: (p: Person, page: Page, t: number) => number, from = sim.start) {
  const rng = sim.rng;
  const sessions: Page[][] = [];
  for (let i = 0; i < pages.length; ) {
    const n = rng.int(2, 6);
    sessions.push(pages.slice(i, i + n));
    i += n;
  }
  const starts = moments(sim, p, sessions.length, from, sim.end - HOUR);
  sessions.forEach((session, k) => {
    let t = starts[k] as number;
    for (const page of session) t = act(p, page, t);
  });
}

export function runScenarios(sim: Simulator, catalog: Catalog, pool: DemoAccount[], used: Set<string>): Record<string, string> {
  const rng = sim.rng;
  const s = SCENARIO_ACCOUNTS;
  const acc = (key: string): DemoAccount => s[key] as DemoAccount;

  committee(sim, catalog, used, {
    account: acc('buyingCommittee'),
    topic: 'data-warehousing',
    people: [4, 5],
    readsEach: [3, 5],
    fromDaysAgo: 9,
    toDaysAgo: 0,
  });
  committee(sim, catalog, used, {
    account: acc('emeaCommittee'),
    topic: 'cloud-cost',
    people: [3, 4],
    readsEach: [3, 5],
    fromDaysAgo: 12,
    toDaysAgo: 3,
  });
  committee(sim, catalog, used, {
    account: acc('strategicCommittee'),
    topic: 'zero-trust',
    people: [3, 5],
    readsEach: [3, 4],
    fromDaysAgo: 8,
    toDaysAgo: 0,
  });
  committee(sim, catalog, used, {
    account: acc('midMarketCommittee'),
    topic: 'llm-ops',
    people: [3, 3],
    readsEach: [3, 4],
    fromDaysAgo: 10,
    toDaysAgo: 1,
  });
  // A committee that read hard three to four weeks ago and went quiet: outside the 14-day window.
  committee(sim, catalog, used, {
    account: acc('staleCommittee'),
    topic: 'pipeline-optimisation',
    people: [3, 4],
    readsEach: [3, 5],
    fromDaysAgo: 29,
    toDaysAgo: 20,
  });
  // A small non-ICP retailer whose two analysts surge on cloud cost: intent without fit.
  committee(sim, catalog, used, {
    account: acc('nonIcpSurge'),
    topic: 'cloud-cost',
    people: [2, 2],
    readsEach: [4, 5],
    fromDaysAgo: 10,
    toDaysAgo: 1,
  });

  // A student and a competitor read everything (and take most of the assets).
  const student = worker(sim, used, acc('student').domain, undefined, 'na');
  binge(sim, student, rng.shuffle([...catalog.articles, ...rng.sample(catalog.assets, 8)]), (p, page, t) =>
    page.kind === 'asset' ? sim.download(p, page, t) : sim.read(p, page, t),
  );
  const competitor = worker(sim, used, acc('competitor').domain, acc('competitor').name, 'na');
  binge(sim, competitor, rng.shuffle([...catalog.articles, ...catalog.assets]), (p, page, t) =>
    page.kind === 'asset' ? sim.download(p, page, t) : sim.read(p, page, t),
  );

  // A junior analyst at an eight-person startup downloads every asset: engagement without fit.
  const startup = worker(sim, used, acc('startupDownloader').domain, acc('startupDownloader').name, 'na');
  binge(sim, startup, rng.shuffle(catalog.assets), (p, page, t) => sim.download(p, page, t), sim.end - 21 * DAY);

  // A VP at a large, fitting company reads one article and later looks at pricing: no form fill.
  const quiet = acc('quietEnterprise');
  const vp = worker(sim, used, quiet.domain, quiet.name, quiet.region);
  const revops = SITES.find((x) => x.id === 'revops-digest') ?? SITES[0];
  const forecasting = (catalog.byTopic.get('sales-forecasting') ?? []).filter((x) => x.site === revops);
  const readAt = sim.moment(vp, sim.end - 7 * DAY, sim.end - 5 * DAY);
  sim.read(vp, rng.pick(forecasting), readAt, 'https://www.google.com/');
  if (revops) sim.pricing(vp, revops, sim.moment(vp, sim.end - 4 * DAY, sim.end - 2 * DAY), ['sales-forecasting']);

  // Hand-raisers: a fitting software company, then a handful of accounts of every kind.
  const requesters: DemoAccount[] = [acc('demoRequester'), ...rng.sample(pool, 5)];
  for (const [n, account] of requesters.entries()) {
    const p = worker(sim, used, account.domain, account.name, account.region);
    // The first reads RevOps Digest, whose form sends the custom "Demo Requested".
    const topic = n === 0 ? 'pipeline-optimisation' : rng.pick([...catalog.byTopic.keys()]);
    const pages = rng.sample(catalog.byTopic.get(topic) ?? [], rng.int(1, 3));
    const times = moments(sim, p, pages.length + 1, sim.end - 20 * DAY, sim.end - 2 * HOUR);
    for (const [k, page] of pages.entries()) sim.read(p, page, times[k] as number);
    const last = pages[pages.length - 1];
    if (last) sim.demoRequest(p, last.site, times[pages.length] as number, [topic]);
  }

  return Object.fromEntries(Object.entries(s).map(([key, a]) => [key, a.domain]));
}

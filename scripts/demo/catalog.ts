import type { Rng } from './random';
import { originOf, SITES, type SiteSpec, TOPICS, type TopicId } from './sites';

/** The pages of the six sites (articles, gated assets, the rest), the browsers and the people. */

export interface Page {
  site: SiteSpec;
  url: string;
  title: string;
  topics: TopicId[];
  kind: 'article' | 'asset' | 'other';
}

const ARTICLE_TEMPLATES = [
  'A practical guide to {s}',
  'Five mistakes teams make with {s}',
  'Benchmarking {s} at scale',
  'Why {s} projects stall, and how to fix them',
  '{S} for mid-market teams',
  "The buyer's checklist for {s}",
  'Inside a {s} migration',
  '{S} metrics that matter',
  'What we learned from 100 {s} rollouts',
];
const ASSET_TEMPLATES = ['The {s} playbook', '{S} benchmark report'];

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const fill = (template: string, s: string) => template.replace('{s}', s).replace('{S}', cap(s));
export const slugify = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

export interface Catalog {
  articles: Page[];
  assets: Page[];
  other: Page[];
  bySite: Map<string, { articles: Page[]; assets: Page[]; other: Page[] }>;
  byTopic: Map<TopicId, Page[]>;
}

/** Six to eight articles and one or two gated assets per section, plus each site's other pages. */
export function buildCatalog(rng: Rng): Catalog {
  const catalog: Catalog = { articles: [], assets: [], other: [], bySite: new Map(), byTopic: new Map() };
  for (const site of SITES) {
    const own = { articles: [] as Page[], assets: [] as Page[], other: [] as Page[] };
    const origin = originOf(site);
    for (const section of site.sections) {
      const topic = TOPICS.find((t) => t.id === section.topics[0]);
      if (!topic) throw new Error(`unknown topic ${section.topics[0]}`);
      const titles = new Set<string>();
      const wanted = rng.int(6, 8);
      while (titles.size < wanted) titles.add(fill(rng.pick(ARTICLE_TEMPLATES), rng.pick(topic.subjects)));
      for (const title of titles) {
        own.articles.push({
          site,
          url: `${origin}${section.prefix}${slugify(title)}`,
          title,
          topics: section.topics,
          kind: 'article',
        });
      }
      for (const template of rng.sample(ASSET_TEMPLATES, rng.int(1, 2))) {
        const title = fill(template, rng.pick(topic.subjects));
        own.assets.push({
          site,
          url: `${origin}${section.prefix}guides/${slugify(title)}`,
          title,
          topics: section.topics,
          kind: 'asset',
        });
      }
    }
    for (const [path, title] of [
      ['/', site.name],
      ['/newsletter', 'Newsletter'],
      ['/about', 'About'],
      ['/events/', 'Events'],
    ]) {
      own.other.push({ site, url: `${origin}${path}`, title: `${title} | ${site.name}`, topics: [], kind: 'other' });
    }
    catalog.bySite.set(site.id, own);
    catalog.articles.push(...own.articles);
    catalog.assets.push(...own.assets);
    catalog.other.push(...own.other);
  }
  for (const page of catalog.articles) {
    for (const t of page.topics) catalog.byTopic.set(t, [...(catalog.byTopic.get(t) ?? []), page]);
  }
  return catalog;
}

export const BROWSER_UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
];
export const BOT_UA = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

export const REFERRERS = [
  'https://www.google.com/',
  'https://www.linkedin.com/',
  'https://news.ycombinator.com/',
  'https://t.co/',
  '',
];

export const FIRST_NAMES = (
  'james mary robert patricia john jennifer michael linda david elizabeth william barbara richard susan joseph jessica ' +
  'thomas sarah priya wei fatima lukas sofia mateo aisha hiroshi emma noah olivia liam amara jonas ines rahul chloe daniel'
).split(' ');
export const LAST_NAMES = (
  'smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez wilson anderson taylor ' +
  'thomas moore jackson martin lee patel chen mueller schmidt dubois rossi nakamura kowalski okafor silva novak jansen ' +
  'eriksson obrien'
).split(' ');
export const FREE_MAIL = ['gmail.com', 'gmail.com', 'gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com'];

import type { Rng } from './random';

/** The demo company's six owned media sites, their topics, articles and gated assets. */

export const TOPICS = [
  { id: 'data-warehousing', name: 'Data warehousing', subjects: ['cloud data warehouses', 'warehouse cost control', 'dbt modelling'] },
  { id: 'lakehouse', name: 'Lakehouse architecture', subjects: ['lakehouse table formats', 'Apache Iceberg', 'streaming ingestion'] },
  { id: 'cloud-cost', name: 'Cloud cost optimisation', subjects: ['FinOps', 'reserved capacity', 'cloud spend forecasting'] },
  { id: 'kubernetes', name: 'Kubernetes', subjects: ['Kubernetes autoscaling', 'cluster right-sizing', 'multi-tenant clusters'] },
  { id: 'zero-trust', name: 'Zero trust security', subjects: ['zero trust access', 'identity-first security', 'SSO rollouts'] },
  { id: 'threat-detection', name: 'Threat detection', subjects: ['SIEM pipelines', 'detection engineering', 'incident response'] },
  { id: 'pipeline-optimisation', name: 'Pipeline optimisation', subjects: ['pipeline hygiene', 'lead routing', 'MQL-to-SQL conversion'] },
  { id: 'sales-forecasting', name: 'Sales forecasting', subjects: ['forecast accuracy', 'revenue planning', 'deal inspection'] },
  { id: 'llm-ops', name: 'LLM operations', subjects: ['LLM evaluation', 'RAG pipelines', 'GPU cost control'] },
  { id: 'platform-engineering', name: 'Platform engineering', subjects: ['internal developer platforms', 'golden paths', 'CI/CD at scale'] },
] as const;
export type TopicId = (typeof TOPICS)[number]['id'];

export interface SiteSpec {
  id: string;
  name: string;
  host: string;
  /** The track name its tracker sends for an engaged read. */
  readEvent: 'content_read' | 'Article Read';
  demoEvent: 'demo_request' | 'Demo Requested';
  /** Whether pages also declare their topics in `properties.topics`. */
  declaresTopics: boolean;
  /** Share of the network's traffic. */
  traffic: number;
  sections: { prefix: string; topics: TopicId[] }[];
  engagedRead?: { activeSeconds: number; scrollPercent: number };
}

export const SITES: SiteSpec[] = [
  {
    id: 'dw-weekly', name: 'DW Weekly', host: 'dwweekly.example', readEvent: 'content_read', demoEvent: 'demo_request',
    declaresTopics: false, traffic: 0.24,
    sections: [{ prefix: '/warehousing/', topics: ['data-warehousing'] }, { prefix: '/lakehouse/', topics: ['lakehouse'] }],
  },
  {
    id: 'cloud-cost-review', name: 'Cloud Cost Review', host: 'cloudcostreview.example', readEvent: 'content_read',
    demoEvent: 'demo_request', declaresTopics: false, traffic: 0.18,
    sections: [
      { prefix: '/finops/', topics: ['cloud-cost'] },
      { prefix: '/kubernetes/', topics: ['kubernetes', 'cloud-cost'] },
      { prefix: '/warehouse-spend/', topics: ['cloud-cost', 'data-warehousing'] },
    ],
  },
  {
    id: 'security-brief', name: 'Security Brief', host: 'securitybrief.example', readEvent: 'content_read', demoEvent: 'demo_request',
    declaresTopics: false, traffic: 0.17, engagedRead: { activeSeconds: 45, scrollPercent: 70 },
    sections: [{ prefix: '/zero-trust/', topics: ['zero-trust'] }, { prefix: '/detection/', topics: ['threat-detection'] }],
  },
  {
    id: 'revops-digest', name: 'RevOps Digest', host: 'revopsdigest.example', readEvent: 'Article Read', demoEvent: 'Demo Requested',
    declaresTopics: false, traffic: 0.14,
    sections: [{ prefix: '/pipeline/', topics: ['pipeline-optimisation'] }, { prefix: '/forecasting/', topics: ['sales-forecasting'] }],
  },
  {
    id: 'ai-engineering-notes', name: 'AI Engineering Notes', host: 'aiengineeringnotes.example', readEvent: 'Article Read',
    demoEvent: 'demo_request', declaresTopics: true, traffic: 0.15,
    sections: [{ prefix: '/llmops/', topics: ['llm-ops'] }, { prefix: '/data-for-ai/', topics: ['lakehouse', 'llm-ops'] }],
  },
  {
    id: 'dev-platform-times', name: 'Dev Platform Times', host: 'devplatformtimes.example', readEvent: 'content_read',
    demoEvent: 'demo_request', declaresTopics: false, traffic: 0.12,
    sections: [
      { prefix: '/platform/', topics: ['platform-engineering'] },
      { prefix: '/kubernetes/', topics: ['kubernetes'] },
      { prefix: '/devsecops/', topics: ['zero-trust', 'platform-engineering'] },
    ],
  },
];

export const writeKeyOf = (site: SiteSpec): string => `wk_${site.id.replace(/-/g, '_')}`;
export const originOf = (site: SiteSpec): string => `https://${site.host}`;

export interface Page {
  site: SiteSpec;
  url: string;
  title: string;
  topics: TopicId[];
  kind: 'article' | 'asset' | 'other';
}

const ARTICLE_TEMPLATES = [
  'A practical guide to {s}', 'Five mistakes teams make with {s}', 'Benchmarking {s} at scale',
  'Why {s} projects stall, and how to fix them', '{S} for mid-market teams', 'The buyer\'s checklist for {s}',
  'Inside a {s} migration', '{S} metrics that matter', 'What we learned from 100 {s} rollouts',
];
const ASSET_TEMPLATES = ['The {s} playbook', '{S} benchmark report'];

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const fill = (template: string, s: string) => template.replace('{s}', s).replace('{S}', cap(s));
export const slugify = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

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
        own.articles.push({ site, url: `${origin}${section.prefix}${slugify(title)}`, title, topics: section.topics, kind: 'article' });
      }
      for (const template of rng.sample(ASSET_TEMPLATES, rng.int(1, 2))) {
        const title = fill(template, rng.pick(topic.subjects));
        own.assets.push({ site, url: `${origin}${section.prefix}guides/${slugify(title)}`, title, topics: section.topics, kind: 'asset' });
      }
    }
    for (const [path, title] of [['/', site.name], ['/newsletter', 'Newsletter'], ['/about', 'About'], ['/events/', 'Events']]) {
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

/** The configuration sections the demo PUTs, in the contract's order. */
export function buildConfig(strategicDomains: string[]) {
  return {
    sites: {
      sites: SITES.map((s) => ({
        id: s.id, name: s.name, writeKey: writeKeyOf(s), allowedOrigins: [originOf(s)], consentRequired: false,
        topicRules: s.sections.map((x) => ({ pathPrefix: x.prefix, topics: [...x.topics] })),
        engagedRead: s.engagedRead ?? { activeSeconds: 30, scrollPercent: 60 },
      })),
    },
    topics: { topics: TOPICS.map((t) => ({ id: t.id, name: t.name })) },
    signals: {
      weights: { page_view: 1, content_read: 2, content_download: 3, webinar_registration: 3, pricing_view: 5, demo_request: 8 },
      eventMap: { 'Article Read': 'content_read', 'Demo Requested': 'demo_request', 'Whitepaper Downloaded': 'content_download' },
      handRaise: ['demo_request', 'pricing_view'],
      windowDays: 14, halfLifeDays: 14, surgeReads: 3,
    },
    icp: {
      employees: { min: 200, max: 10000 }, revenueUsd: { min: 20_000_000 },
      industries: ['software', 'financial services', 'insurance', 'healthcare'],
      countries: ['US', 'CA', 'GB', 'DE', 'FR', 'NL'], regions: [],
      techStack: { required: [], bonus: ['snowflake'] }, growthStages: [],
      exclude: { domains: ['rival.example'], industries: ['education'], freeMail: true, students: true },
      tiers: { A: 80, B: 60, C: 40 }, salesReadyTiers: ['A', 'B'],
    },
    pods: {
      pods: [
        { id: 'strategic', name: 'Named accounts', match: { domains: strategicDomains } },
        { id: 'na-enterprise', name: 'NA enterprise', match: { countries: ['US', 'CA'], employees: { min: 1000 } } },
        { id: 'emea', name: 'EMEA', match: { regions: ['emea'] } },
        { id: 'catch-all', name: 'Everyone else', match: {} },
      ],
    },
    audiences: {
      audiences: [
        { id: 'surging-a-b', name: 'Tier A/B surging', filter: { tiers: ['A', 'B'], stages: ['surging', 'hand_raiser'], topics: [], pods: [], minPriority: 0, excludeOutcomes: ['opportunity', 'closed_won'] } },
        { id: 'warehousing-intent', name: 'Data warehousing intent', filter: { tiers: ['A', 'B', 'C'], stages: ['engaged', 'surging', 'hand_raiser'], topics: ['data-warehousing'], pods: [], minPriority: 0, excludeOutcomes: ['closed_won'] } },
      ],
    },
    sla: { firstTouchHours: 24, feedbackHours: 48, claimHours: 24, rejectCooloffDays: 30 },
  };
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

export const REFERRERS = ['https://www.google.com/', 'https://www.linkedin.com/', 'https://news.ycombinator.com/', 'https://t.co/', ''];

export const FIRST_NAMES = [
  'james', 'mary', 'robert', 'patricia', 'john', 'jennifer', 'michael', 'linda', 'david', 'elizabeth', 'william', 'barbara',
  'richard', 'susan', 'joseph', 'jessica', 'thomas', 'sarah', 'priya', 'wei', 'fatima', 'lukas', 'sofia', 'mateo',
  'aisha', 'hiroshi', 'emma', 'noah', 'olivia', 'liam', 'amara', 'jonas', 'ines', 'rahul', 'chloe', 'daniel',
];
export const LAST_NAMES = [
  'smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez', 'martinez', 'hernandez',
  'lopez', 'wilson', 'anderson', 'taylor', 'thomas', 'moore', 'jackson', 'martin', 'lee', 'patel', 'chen', 'mueller',
  'schmidt', 'dubois', 'rossi', 'nakamura', 'kowalski', 'okafor', 'silva', 'novak', 'jansen', 'eriksson', 'obrien',
];
export const FREE_MAIL = ['gmail.com', 'gmail.com', 'gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com'];

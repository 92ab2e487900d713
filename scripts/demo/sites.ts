/** The demo company's six owned media sites and the ten topics they cover. */

export type TopicId = string;
export interface Topic {
  id: TopicId;
  name: string;
  /** What article titles on the topic are about. */
  subjects: string[];
}

export const TOPICS: Topic[] = [
  ['data-warehousing', 'Data warehousing', 'cloud data warehouses|warehouse cost control|dbt modelling'],
  ['lakehouse', 'Lakehouse architecture', 'lakehouse table formats|Apache Iceberg|streaming ingestion'],
  ['cloud-cost', 'Cloud cost optimisation', 'FinOps|reserved capacity|cloud spend forecasting'],
  ['kubernetes', 'Kubernetes', 'Kubernetes autoscaling|cluster right-sizing|multi-tenant clusters'],
  ['zero-trust', 'Zero trust security', 'zero trust access|identity-first security|SSO rollouts'],
  ['threat-detection', 'Threat detection', 'SIEM pipelines|detection engineering|incident response'],
  ['pipeline-optimisation', 'Pipeline optimisation', 'pipeline hygiene|lead routing|MQL-to-SQL conversion'],
  ['sales-forecasting', 'Sales forecasting', 'forecast accuracy|revenue planning|deal inspection'],
  ['llm-ops', 'LLM operations', 'LLM evaluation|RAG pipelines|GPU cost control'],
  ['platform-engineering', 'Platform engineering', 'internal developer platforms|golden paths|CI/CD at scale'],
].map(([id = '', name = '', subjects = '']) => ({ id, name, subjects: subjects.split('|') }));

export interface SiteSpec {
  id: string;
  name: string;
  host: string;
  /** Share of the network's traffic. */
  traffic: number;
  /** Path prefix -> topics: the site's `topicRules`. */
  sections: { prefix: string; topics: TopicId[] }[];
  /** The track name its tracker sends for an engaged read (a custom one is mapped by `signals.eventMap`). */
  readEvent: 'content_read' | 'Article Read';
  demoEvent: 'demo_request' | 'Demo Requested';
  /** Whether pages also declare their topics in `properties.topics`. */
  declaresTopics: boolean;
  engagedRead?: { activeSeconds: number; scrollPercent: number };
}

type Options = Partial<Pick<SiteSpec, 'readEvent' | 'demoEvent' | 'declaresTopics' | 'engagedRead'>>;

/** `sections` as `'/prefix/=topic,topic /other/=topic'`. */
function site(id: string, name: string, host: string, traffic: number, sections: string, options: Options = {}): SiteSpec {
  return {
    id,
    name,
    host,
    traffic,
    sections: sections.split(' ').map((s) => {
      const [prefix = '/', topics = ''] = s.split('=');
      return { prefix, topics: topics.split(',') };
    }),
    readEvent: options.readEvent ?? 'content_read',
    demoEvent: options.demoEvent ?? 'demo_request',
    declaresTopics: options.declaresTopics ?? false,
    ...(options.engagedRead ? { engagedRead: options.engagedRead } : {}),
  };
}

export const SITES: SiteSpec[] = [
  site('dw-weekly', 'DW Weekly', 'dwweekly.example', 0.24, '/warehousing/=data-warehousing /lakehouse/=lakehouse'),
  site(
    'cloud-cost-review',
    'Cloud Cost Review',
    'cloudcostreview.example',
    0.18,
    '/finops/=cloud-cost /kubernetes/=kubernetes,cloud-cost /warehouse-spend/=cloud-cost,data-warehousing',
  ),
  site(
    'security-brief',
    'Security Brief',
    'securitybrief.example',
    0.17,
    '/zero-trust/=zero-trust /detection/=threat-detection',
    {
      engagedRead: { activeSeconds: 45, scrollPercent: 70 },
    },
  ),
  site(
    'revops-digest',
    'RevOps Digest',
    'revopsdigest.example',
    0.14,
    '/pipeline/=pipeline-optimisation /forecasting/=sales-forecasting',
    {
      readEvent: 'Article Read',
      demoEvent: 'Demo Requested',
    },
  ),
  site(
    'ai-engineering-notes',
    'AI Engineering Notes',
    'aiengineeringnotes.example',
    0.15,
    '/llmops/=llm-ops /data-for-ai/=lakehouse,llm-ops',
    {
      readEvent: 'Article Read',
      declaresTopics: true,
    },
  ),
  site(
    'dev-platform-times',
    'Dev Platform Times',
    'devplatformtimes.example',
    0.12,
    '/platform/=platform-engineering /kubernetes/=kubernetes /devsecops/=zero-trust,platform-engineering',
  ),
];

export const writeKeyOf = (s: SiteSpec): string => `wk_${s.id.replace(/-/g, '_')}`;
/**
 * The demo's server write key for a site. The demo replays its visitors' traffic from this one
 * machine, like a server-side forwarder, with each simulated visitor's `context.ip`: only the
 * server key may assert an address (docs/security.md), and its limit is per key, not per the
 * one address everything leaves from. A demo value, for a local stack.
 */
export const serverWriteKeyOf = (s: SiteSpec): string => `sk_demo_${s.id.replace(/-/g, '_')}_replay`;
export const originOf = (s: SiteSpec): string => `https://${s.host}`;

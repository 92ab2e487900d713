import { mulberry32 } from './random';
import type { DemoData, DemoEvent } from './workload';

/**
 * The bench's own month of traffic, used only when `scripts/demo/generate.ts` is missing:
 * a few hundred accounts whose people read on topics and identify with work emails (some
 * never do, a few with free mail), a few pricing views and demo requests on the keenest
 * accounts, and anonymous traffic that resolves to no account. Deterministic for a seed.
 */
export function generateFallback({ seed, endDate, scale = 1 }: { seed: number; endDate: Date; scale?: number }): DemoData {
  const rng = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
  const between = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
  const end = endDate.getTime();
  const start = end - 30 * 86_400_000;
  const events: { at: number; e: DemoEvent }[] = [];
  let n = 0;
  const push = (site: Site, at: number, event: Record<string, unknown>) => {
    const url = `https://${site.host}${(event.properties as { path?: string } | undefined)?.path ?? '/'}`;
    events.push({
      at,
      e: {
        writeKey: site.writeKey,
        event: {
          messageId: `bench-${seed}-${++n}`,
          timestamp: new Date(at).toISOString(),
          context: { userAgent: UA, page: { url, referrer: pick(REFERRERS) } },
          ...event,
        },
      },
    });
  };

  const session = (anonymousId: string, heat: number, identify?: Record<string, unknown>) => {
    const site = pick(SITES);
    let at = start + rng() * (end - start - 3_600_000);
    if (identify) push(site, at, { type: 'identify', anonymousId, traits: identify });
    for (let views = between(1, 2 + Math.round(heat * 4)); views > 0; views--) {
      at += between(20, 240) * 1000;
      const topic = pick(site.topics);
      const path = `/${topic}/article-${between(1, 40)}`;
      const properties = { path, url: `https://${site.host}${path}`, title: `On ${topic}` };
      push(site, at, { type: 'page', anonymousId, properties });
      if (rng() < 0.35) push(site, at + 45_000, { type: 'track', event: 'content_read', anonymousId, properties });
      if (rng() < 0.03) push(site, at + 60_000, { type: 'track', event: 'content_download', anonymousId, properties });
    }
    if (rng() < heat * 0.25)
      push(site, at + 90_000, { type: 'track', event: 'pricing_view', anonymousId, properties: { path: '/pricing' } });
    if (rng() < heat * heat * 0.12)
      push(site, at + 120_000, { type: 'track', event: 'demo_request', anonymousId, properties: { path: '/demo' } });
  };

  const accounts = Math.round(200 * scale);
  for (let a = 0; a < accounts; a++) {
    const domain = `${pick(COMPANY_WORDS)}-${a}.example`;
    const heat = rng() < 0.1 ? 0.8 + rng() * 0.2 : rng() < 0.35 ? 0.3 + rng() * 0.3 : rng() * 0.2;
    for (let p = between(1, 2 + Math.round(heat * 4)); p > 0; p--) {
      const anonymousId = `v-${a}-${p}-${Math.floor(rng() * 1e9).toString(36)}`;
      const sessions = between(1, 2 + Math.round(heat * 6));
      const identifyAt = rng() < 0.7 ? between(0, sessions - 1) : -1;
      const email = rng() < 0.05 ? `${pick(FIRST)}${a}@gmail.com` : `${pick(FIRST)}.${pick(LAST)}@${domain}`;
      for (let s = 0; s < sessions; s++)
        session(anonymousId, heat, s === identifyAt ? { email, company: domain.split('.')[0] } : undefined);
    }
  }
  for (let v = Math.round(600 * scale); v > 0; v--) {
    const anonymousId = `anon-${v}-${Math.floor(rng() * 1e9).toString(36)}`;
    for (let s = between(1, 3); s > 0; s--) session(anonymousId, 0.05);
  }

  events.sort((a, b) => a.at - b.at);
  return { config: CONFIG, accounts: [], events: events.map((x) => x.e) };
}

interface Site {
  id: string;
  host: string;
  writeKey: string;
  topics: string[];
}

const SITES: Site[] = [
  {
    id: 'bench-data',
    host: 'data-weekly.example',
    writeKey: 'wk_bench_data',
    topics: ['data-warehousing', 'data-governance', 'streaming'],
  },
  {
    id: 'bench-sec',
    host: 'secops-daily.example',
    writeKey: 'wk_bench_sec',
    topics: ['zero-trust', 'cloud-security', 'streaming'],
  },
];
const TOPIC_IDS = [...new Set(SITES.flatMap((s) => s.topics))];

const CONFIG: Record<string, unknown> = {
  sites: {
    sites: SITES.map((s) => ({
      id: s.id,
      name: s.host,
      writeKey: s.writeKey,
      allowedOrigins: [`https://${s.host}`],
      topicRules: s.topics.map((t) => ({ pathPrefix: `/${t}/`, topics: [t] })),
    })),
  },
  topics: { topics: TOPIC_IDS.map((id) => ({ id, name: id.replace(/-/g, ' ') })) },
  signals: { eventMap: { 'Article Read': 'content_read', 'Demo Requested': 'demo_request' } },
  icp: { exclude: { domains: ['rival.example'], industries: ['education'] } },
  pods: { pods: [{ id: 'default', name: 'Default pod', match: {} }] },
  audiences: { audiences: [{ id: 'hand-raisers', name: 'Hand-raisers', filter: { stages: ['hand_raiser'] } }] },
  sla: {},
};

const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const REFERRERS = ['https://www.google.com/', 'https://www.linkedin.com/', ''];
const COMPANY_WORDS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'wonka', 'tyrell', 'cyberdyne'];
const FIRST = ['ana', 'ben', 'chen', 'dana', 'eli', 'fatima', 'gus', 'hana', 'ivan', 'jo'];
const LAST = ['smith', 'garcia', 'kim', 'muller', 'rossi', 'nguyen', 'khan', 'silva'];

import { BROWSER_UA } from './lib';
import { mulberry32 } from './random';

/**
 * The hot day: one site, one UTC day, every event addressable by its index, so a batch is
 * generated when it is posted (300,000 events are never held at once) and a replay posts the
 * very same bodies. Pure and seeded: the same spec always gives the same events.
 *
 * Events come in slots of 300. In each slot, the 100 events with `k % 3 === 0` are the
 * company's (one server-side batch: no Origin, `context.ip` in the company's range), the 200
 * others are browser traffic (two batches with the site's Origin): anonymous visitors and the
 * people of a few hundred other accounts, who identify once during the day so that their
 * earlier engaged reads wait as pending events and are stitched. Slot after slot, the day is
 * posted in time order. About 20% of all events are engaged reads (`content_read`), the rest
 * page views (and the identifies); every page view and read carries exactly one topic.
 */
export interface HotDaySpec {
  seed: number;
  /** 'YYYY-MM-DD' (UTC): every event falls inside it, in index order. */
  day: string;
  /** A multiple of 300 (see `hotDaySpec`). */
  events: number;
  /** Prefix of every messageId: `hd` for the hot day, another for the steady phase's traffic. */
  idPrefix: string;
}

export type Lane = 'server' | 'browser';

export interface HotDayBatch {
  lane: Lane;
  events: Record<string, unknown>[];
}

export const SLOT = 300;
export const BATCH = 100;
const DAY_MS = 86_400_000;
const ENGAGED_SHARE = 0.2;
/** Of the browser events that are not identifies, the share done by the other accounts' people. */
const KNOWN_SHARE = 0.3;
const OTHER_ACCOUNTS = 300;
const PEOPLE_PER_ACCOUNT = 4;

export const HOT_DAY_SITE = {
  id: 'hotday',
  name: 'Hot day (bench)',
  host: 'hotday.example',
  origin: 'https://hotday.example',
  writeKey: 'wk_hotday',
  // Secret in real life; the contract lets a site have one for server-side forwarders.
  serverWriteKey: 'swk_hotday_2b7e151628aed2a6abf71588',
};
export const TOPICS = [
  'data-warehousing',
  'zero-trust',
  'observability',
  'ml-platform',
  'cloud-costs',
  'devops',
  'analytics',
  'streaming',
] as const;
export const COMPANY = { domain: 'hd-company.example', name: 'Hot Day Company', cidr: '198.18.0.0/16' };
/** The pod that hand-raise markers are routed to (their firmographics say `country: NZ`, no other account's do). */
export const MARKER_POD = 'hotday-raise';

/** The spec for about `events` events (rounded up to whole slots of 300) on `day`. */
export function hotDaySpec(events: number, day: string, seed = 11, idPrefix = 'hd'): HotDaySpec {
  return { seed, day, events: Math.max(SLOT, Math.ceil(events / SLOT) * SLOT), idPrefix };
}

export const batchCount = (spec: HotDaySpec) => spec.events / BATCH;
export const otherDomain = (a: number) => `hd-acct-${a}.example`;
export const readMarkerDomain = (m: number) => `hd-marker-${m}.example`;
export const raiseMarkerDomain = (m: number) => `hd-raise-${m}.example`;

/** Batch `b` (0-based, in posting order): the company's batch of its slot, or one of two browser batches. */
export function batchAt(spec: HotDaySpec, b: number): HotDayBatch {
  const slot = Math.floor(b / 3);
  const part = b % 3;
  const events: Record<string, unknown>[] = [];
  for (let i = 0; i < BATCH; i++) {
    const k = part === 0 ? slot * SLOT + 3 * i : browserK(slot * 200 + (part - 1) * BATCH + i);
    events.push(eventAt(spec, k));
  }
  return { lane: part === 0 ? 'server' : 'browser', events };
}

/** The k-th event of the day (0-based, in time order). */
export function eventAt(spec: HotDaySpec, k: number): Record<string, unknown> {
  const rng = mulberry32(hash32(spec.seed, k));
  const base = {
    messageId: `${spec.idPrefix}-${spec.seed}-${k}`,
    timestamp: new Date(Date.parse(`${spec.day}T00:00:00.000Z`) + Math.floor(((k + 0.5) * DAY_MS) / spec.events)).toISOString(),
  };
  if (k % 3 === 0) {
    // The company: many visitors behind one network, keenest on two topics (so it surges).
    const c = Math.floor(rng() * companyVisitors(spec));
    const topic = rng() < 0.5 ? (TOPICS[c % 2] as string) : pick(rng, TOPICS);
    return content(rng, base, `hd-c${c}`, topic, { ip: `198.18.${(c >> 8) & 255}.${c & 255}` });
  }
  const i = browserIndex(k);
  const identifying = identifySlotAt(spec, i);
  if (identifying !== undefined) return identify(base, identifying);
  const visitor =
    rng() < KNOWN_SHARE
      ? knownVisitorId(Math.floor(rng() * knownVisitors(spec)))
      : `hd-a${Math.floor(rng() * anonymousVisitors(spec))}`;
  return content(rng, base, visitor, pick(rng, TOPICS));
}

/** Every event's timestamp set to `at` (the steady phase posts the workload's traffic live). */
export function restamp(batch: HotDayBatch, at: Date): HotDayBatch {
  const timestamp = at.toISOString();
  return { lane: batch.lane, events: batch.events.map((e) => ({ ...e, timestamp })) };
}

/** Visitors behind the company's network: a third of the events, about 20 each. */
export const companyVisitors = (spec: HotDaySpec) => Math.min(65_536, Math.max(100, Math.round(spec.events / 60)));
const anonymousVisitors = (spec: HotDaySpec) => Math.max(500, Math.round(spec.events / 10));
/** People of the other accounts, each identifying once (fewer on a tiny day, so identifies stay a small share). */
export const knownVisitors = (spec: HotDaySpec) =>
  Math.max(1, Math.min(OTHER_ACCOUNTS * PEOPLE_PER_ACCOUNT, Math.floor(browserEvents(spec) / 10)));
const browserEvents = (spec: HotDaySpec) => (spec.events / 3) * 2;
const knownVisitorId = (v: number) => `hd-k${v}`;

/** Browser event index i (0-based among the k with `k % 3 !== 0`) and k, both ways. */
const browserK = (i: number) => 3 * Math.floor(i / 2) + 1 + (i % 2);
const browserIndex = (k: number) => 2 * Math.floor(k / 3) + ((k % 3) - 1);

/** Known visitor v identifies at browser event `identifyIndex(v)`: evenly through the day. */
const identifyIndex = (spec: HotDaySpec, v: number) => Math.floor(((v + 0.5) * browserEvents(spec)) / knownVisitors(spec));

function identifySlotAt(spec: HotDaySpec, i: number): number | undefined {
  const v0 = Math.floor((i * knownVisitors(spec)) / browserEvents(spec));
  for (const v of [v0 - 1, v0, v0 + 1]) if (v >= 0 && v < knownVisitors(spec) && identifyIndex(spec, v) === i) return v;
  return undefined;
}

/** Known visitor v works at other account `v % 300`; one in four gives a free-mail address and the company's domain. */
function identify(base: Record<string, unknown>, v: number): Record<string, unknown> {
  const domain = otherDomain(v % OTHER_ACCOUNTS);
  const traits =
    v % 4 === 3
      ? { email: `person${v}@gmail.com`, domain, company: `Account ${v % OTHER_ACCOUNTS}` }
      : { email: `person${v}@${domain}` };
  return { type: 'identify', ...base, anonymousId: knownVisitorId(v), traits, context: { userAgent: BROWSER_UA } };
}

function content(
  rng: () => number,
  base: Record<string, unknown>,
  anonymousId: string,
  topic: string,
  context: Record<string, unknown> = {},
): Record<string, unknown> {
  const path = `/t/${topic}/article-${Math.floor(rng() * 200)}`;
  const url = `${HOT_DAY_SITE.origin}${path}`;
  const properties = { topics: [topic], url, title: `On ${topic}` };
  const common = { ...base, anonymousId, properties, context: { ...context, userAgent: BROWSER_UA, page: { url } } };
  return rng() < ENGAGED_SHARE ? { type: 'track', event: 'content_read', ...common } : { type: 'page', ...common };
}

/** The configuration sections the hot day needs, each the body of `PUT /v1/config/{section}`. */
export function hotDayConfig(): Record<string, unknown> {
  return {
    sites: {
      sites: [
        {
          id: HOT_DAY_SITE.id,
          name: HOT_DAY_SITE.name,
          writeKey: HOT_DAY_SITE.writeKey,
          serverWriteKey: HOT_DAY_SITE.serverWriteKey,
          allowedOrigins: [HOT_DAY_SITE.origin],
          // Identifies with a company domain come from the browser lane.
          trustBrowserTraits: true,
          // Events per second per write key, where the collector has a limit: far above what
          // the bench posts, so it measures the pipeline, not a limiter (setup drops the field
          // if the schema bounds it lower).
          rateLimit: 100_000,
          // The browser lane posts every visitor's events from this one machine's address.
          addressRateLimit: 100_000,
          // URL rules that agree with the declared topic: every event keeps exactly one topic.
          topicRules: TOPICS.map((t) => ({ pathPrefix: `/t/${t}/`, topics: [t] })),
        },
      ],
    },
    topics: { topics: TOPICS.map((id) => ({ id, name: id.replace(/-/g, ' ') })) },
    signals: {},
    icp: {
      employees: { min: 200 },
      industries: ['software', 'financial services'],
      countries: ['US', 'GB', 'DE', 'NZ'],
      salesReadyTiers: ['A', 'B'],
    },
    pods: {
      pods: [
        { id: MARKER_POD, name: 'Hot day hand-raise markers', match: { countries: ['NZ'] } },
        { id: 'default', name: 'Default pod', match: {} },
      ],
    },
    audiences: { audiences: [] },
  };
}

/** Firmographics (`PUT /v1/accounts` rows): the company, the other accounts, and the markers' accounts. */
export function hotDayAccounts(readMarkers: number, raiseMarkers: number): Record<string, unknown>[] {
  const fitting = (domain: string, name: string, country: string) => ({
    domain,
    name,
    employees: 1_500,
    revenueUsd: 250_000_000,
    industry: 'software',
    country,
  });
  return [
    { ...fitting(COMPANY.domain, COMPANY.name, 'US'), employees: 40_000, revenueUsd: 9_000_000_000 },
    ...Array.from({ length: OTHER_ACCOUNTS }, (_, a) => {
      const kind = a % 3;
      return {
        domain: otherDomain(a),
        name: `Account ${a}`,
        employees: [800, 300, 50][kind],
        industry: ['software', 'financial services', 'education'][kind],
        country: ['US', 'GB', 'FR'][kind],
      };
    }),
    ...Array.from({ length: readMarkers }, (_, m) => fitting(readMarkerDomain(m), `Read marker ${m}`, 'US')),
    ...Array.from({ length: raiseMarkers }, (_, m) => fitting(raiseMarkerDomain(m), `Hand-raise marker ${m}`, 'NZ')),
  ];
}

/** The identify that makes a marker's visitor a known person of its account (posted before the steady phase). */
export function markerIdentify(kind: 'read' | 'raise', m: number, at: Date): Record<string, unknown> {
  const domain = kind === 'read' ? readMarkerDomain(m) : raiseMarkerDomain(m);
  return {
    type: 'identify',
    messageId: `hd-${kind}-id-${m}`,
    anonymousId: markerVisitor(kind, m),
    timestamp: at.toISOString(),
    traits: { email: `marker${m}@${domain}` },
    context: { userAgent: BROWSER_UA },
  };
}

/** Marker n of read-marker account m: one engaged read on `topic`, by its identified visitor. */
export function readMarker(m: number, n: number, topic: string, at: Date): Record<string, unknown> {
  const url = `${HOT_DAY_SITE.origin}/t/${topic}/marker-${n}`;
  return {
    type: 'track',
    event: 'content_read',
    messageId: `hd-read-${m}-${n}`,
    anonymousId: markerVisitor('read', m),
    timestamp: at.toISOString(),
    properties: { topics: [topic], url },
    context: { userAgent: BROWSER_UA, page: { url } },
  };
}

/** The hand-raise of marker account m: a demo request by its identified visitor. */
export function raiseMarker(m: number, at: Date): Record<string, unknown> {
  const url = `${HOT_DAY_SITE.origin}/demo`;
  return {
    type: 'track',
    event: 'demo_request',
    messageId: `hd-raise-${m}`,
    anonymousId: markerVisitor('raise', m),
    timestamp: at.toISOString(),
    properties: { url },
    context: { userAgent: BROWSER_UA, page: { url } },
  };
}

const markerVisitor = (kind: 'read' | 'raise', m: number) => `hd-${kind}-v${m}`;

const pick = <T>(rng: () => number, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;

/** A 32-bit mix of the seed and an index (murmur3's finaliser): each event its own stream. */
function hash32(seed: number, k: number): number {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(k + 1, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

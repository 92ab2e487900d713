import { BROWSER_UAS, type Page, REFERRERS } from './catalog';
import type { Rng } from './random';
import { originOf, type SiteSpec, writeKeyOf } from './sites';

/**
 * Turns what people do (visit, read, identify, download, raise a hand) into Segment-shaped
 * events with realistic timing: working hours in the visitor's time zone, seconds to minutes
 * between the events of a session, and an identify that precedes what follows it.
 */

export type Region = 'na' | 'emea' | 'apac' | 'latam';
const UTC_OFFSET: Record<Region, number> = { na: -5, emea: 1, apac: 8, latam: -3 };
const HOUR_WEIGHTS = [0, 0, 0, 0, 0, 0, 0.2, 0.6, 1.5, 2.2, 2.4, 2.2, 1.6, 2, 2.2, 2, 1.6, 1, 0.7, 0.6, 0.6, 0.5, 0.3, 0.1].map(
  (w, hour) => [hour, w] as const,
);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
export const DAY = 24 * 60 * MINUTE;

export interface Person {
  ua: string;
  region: Region;
  ip?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  company?: string;
  userId?: string;
  /** One anonymous id per site: each brand sets its own first-party cookie. */
  anon: Map<string, string>;
  identifiedOn: Set<string>;
  /** From this moment on the person fills in a form (identifies) on any site they visit. */
  identifyFrom: number;
  lastTs: number;
}

export interface SimEvent {
  writeKey: string;
  event: Record<string, unknown>;
}

interface Stamped extends SimEvent {
  ts: number;
  seq: number;
}

export class Simulator {
  private readonly stamped: Stamped[] = [];
  constructor(
    readonly rng: Rng,
    readonly start: number,
    readonly end: number,
    /** Ids handed out so far (shared between simulators): message and anonymous ids never repeat. */
    private readonly ids = new Set<string>(),
  ) {}

  person(
    opts: Partial<Pick<Person, 'email' | 'firstName' | 'lastName' | 'company' | 'region' | 'ua' | 'identifyFrom'>> = {},
  ): Person {
    const rng = this.rng;
    return {
      ua: opts.ua ?? rng.pick(BROWSER_UAS),
      region:
        opts.region ??
        rng.weighted<Region>([
          ['na', 50],
          ['emea', 30],
          ['apac', 14],
          ['latam', 6],
        ]),
      ip: rng.chance(0.8) ? `${rng.pick(['198.51.100', '203.0.113', '192.0.2'])}.${rng.int(1, 254)}` : undefined,
      email: opts.email,
      firstName: opts.firstName,
      lastName: opts.lastName,
      company: opts.company,
      userId: opts.email ? `usr_${rng.hex(12)}` : undefined,
      anon: new Map(),
      identifiedOn: new Set(),
      identifyFrom: opts.email ? (opts.identifyFrom ?? this.start) : Number.POSITIVE_INFINITY,
      lastTs: 0,
    };
  }

  /** A moment in [from, to] during the person's local working day (weekends quieter). */
  moment(p: Person, from = this.start, to = this.end): number {
    const rng = this.rng;
    const offset = UTC_OFFSET[p.region] * 3_600_000;
    for (let attempt = 0; attempt < 30; attempt++) {
      const day = Math.floor((rng.float(from, to) + offset) / DAY);
      const weekday = new Date(day * DAY).getUTCDay();
      if ((weekday === 0 || weekday === 6) && !rng.chance(0.35)) continue;
      const hour = rng.weighted(HOUR_WEIGHTS);
      const ts = day * DAY + hour * 3_600_000 + rng.int(0, 3_599_999) - offset;
      if (ts >= from && ts <= to) return ts;
    }
    return Math.round(rng.float(from, to));
  }

  /** The events so far, sorted by timestamp (ties keep the order they were made in). */
  events(): SimEvent[] {
    return [...this.stamped].sort((a, b) => a.ts - b.ts || a.seq - b.seq).map(({ writeKey, event }) => ({ writeKey, event }));
  }

  /** A page view; returns when the visitor leaves the page. */
  page(p: Person, page: Page, ts: number, referrer?: string): number {
    const url = page.url;
    const properties: Record<string, unknown> = { url, path: pathOf(url), title: page.title };
    if (referrer) properties.referrer = referrer;
    if (page.site.declaresTopics && page.topics.length) properties.topics = [...page.topics];
    this.emit(p, page.site, ts, { type: 'page', name: page.title, properties }, page, referrer);
    return ts + this.rng.int(15, 240) * SECOND;
  }

  /** A page view followed by an engaged read once the site's thresholds are passed. */
  read(p: Person, page: Page, ts: number, referrer?: string): number {
    this.page(p, page, ts, referrer);
    const thresholds = page.site.engagedRead ?? { activeSeconds: 30, scrollPercent: 60 };
    const active = thresholds.activeSeconds + this.rng.int(5, 400);
    const properties: Record<string, unknown> = {
      url: page.url,
      title: page.title,
      activeSeconds: active,
      scrollPercent: this.rng.int(thresholds.scrollPercent, 100),
    };
    if (page.site.declaresTopics) properties.topics = [...page.topics];
    const readAt = ts + active * SECOND;
    this.emit(p, page.site, readAt, { type: 'track', event: page.site.readEvent, properties }, page);
    return readAt + this.rng.int(10, 180) * SECOND;
  }

  /** A gated asset: its landing page, then the download. */
  download(p: Person, asset: Page, ts: number): number {
    const after = this.page(p, asset, ts);
    const properties: Record<string, unknown> = { url: asset.url, title: asset.title, assetType: 'whitepaper' };
    if (asset.site.declaresTopics) properties.topics = [...asset.topics];
    this.emit(p, asset.site, after, { type: 'track', event: 'content_download', properties }, asset);
    return after + this.rng.int(20, 120) * SECOND;
  }

  /** The vendor's pricing page, reached from a site; the page declares the product's topic. */
  pricing(p: Person, site: SiteSpec, ts: number, topics: string[]): number {
    const page: Page = { site, url: `${originOf(site)}/pricing`, title: `Pricing | ${site.name}`, topics: [], kind: 'other' };
    const after = this.page(p, page, ts);
    this.emit(
      p,
      site,
      after,
      { type: 'track', event: 'pricing_view', properties: { url: page.url, title: page.title, topics } },
      page,
    );
    return after + this.rng.int(30, 300) * SECOND;
  }

  demoRequest(p: Person, site: SiteSpec, ts: number, topics: string[]): number {
    const page: Page = { site, url: `${originOf(site)}/demo`, title: `Request a demo | ${site.name}`, topics: [], kind: 'other' };
    const after = this.page(p, page, ts);
    const properties = { url: page.url, title: page.title, topics, formId: 'demo-request' };
    this.emit(p, site, after + 90 * SECOND, { type: 'track', event: site.demoEvent, properties }, page);
    return after + 120 * SECOND;
  }

  /** A crawler: page views only, seconds apart. */
  crawl(p: Person, pages: Page[], ts: number): number {
    let t = ts;
    for (const page of pages) {
      this.page(p, page, t);
      t += this.rng.int(1, 8) * SECOND;
    }
    return t;
  }

  private identify(p: Person, site: SiteSpec, ts: number, page: Page) {
    p.identifiedOn.add(site.id);
    const traits: Record<string, unknown> = { email: p.email };
    if (p.firstName) traits.firstName = cap(p.firstName);
    if (p.lastName) traits.lastName = cap(p.lastName);
    if (p.company) traits.company = p.company;
    this.push(p, site, ts, { type: 'identify', traits }, page);
  }

  private emit(p: Person, site: SiteSpec, ts: number, body: Record<string, unknown>, page: Page, referrer?: string) {
    if (ts < this.start || ts > this.end) return;
    if (p.email && ts >= p.identifyFrom && !p.identifiedOn.has(site.id)) {
      // The form fill that tells us who this is, just before what follows it.
      this.identify(p, site, Math.min(ts, Math.max(p.lastTs + SECOND, ts - 20 * SECOND)), page);
    }
    this.push(p, site, ts, body, page, referrer);
  }

  private push(p: Person, site: SiteSpec, ts: number, body: Record<string, unknown>, page: Page, referrer?: string) {
    let anonymousId = p.anon.get(site.id);
    if (!anonymousId) {
      anonymousId = this.uniqueId();
      p.anon.set(site.id, anonymousId);
    }
    const context: Record<string, unknown> = {
      page: { url: page.url, path: pathOf(page.url), title: page.title, ...(referrer ? { referrer } : {}) },
      userAgent: p.ua,
      locale: p.region === 'emea' ? 'en-GB' : 'en-US',
      library: { name: 'intent-tracker', version: '0.1.0' },
    };
    if (p.ip) context.ip = p.ip;
    const event: Record<string, unknown> = { ...body, messageId: this.uniqueId(), anonymousId };
    if (p.userId && p.identifiedOn.has(site.id)) event.userId = p.userId;
    event.timestamp = new Date(ts).toISOString();
    event.context = context;
    this.stamped.push({ writeKey: writeKeyOf(site), event, ts, seq: this.stamped.length });
    p.lastTs = Math.max(p.lastTs, ts);
  }

  private uniqueId(): string {
    let id = this.rng.uuid();
    while (this.ids.has(id)) id = this.rng.uuid();
    this.ids.add(id);
    return id;
  }

  referrer(): string | undefined {
    return this.rng.pick(REFERRERS) || undefined;
  }
}

const pathOf = (url: string) => url.slice(url.indexOf('/', url.indexOf('//') + 2));
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

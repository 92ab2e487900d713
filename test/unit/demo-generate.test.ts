import { type Config, defaultSection, SECTION_SCHEMAS, TRACK_SIGNALS } from '@intent/config';
import { configuredTopics, RawEvent } from '@intent/events';
import { Firmographics, scoreFit } from '@intent/fit';
import { routeToPod } from '@intent/qualify';
import { isbot } from 'isbot';
import { describe, expect, it } from 'vitest';
import { topicsFor } from '../../packages/events/src/topics';
import { type DemoData, generateDemo } from '../../scripts/demo/generate';

const END = new Date('2025-03-01T12:00:00Z');
const DAY = 86_400_000;
const data = generateDemo({ seed: 7, endDate: END });
/** The sections the demo configures (it leaves `destinations` alone). */
const DEMO_SECTIONS = Object.keys(data.config) as (keyof DemoData['config'])[];
const config = Object.fromEntries(DEMO_SECTIONS.map((s) => [s, SECTION_SCHEMAS[s].parse(data.config[s])])) as unknown as Config;
const configured = configuredTopics(config.topics);

type Ev = Record<string, any>;
interface Read {
  domain: string;
  person: string;
  signal: string;
  topics: string[];
  url: string;
  ts: number;
}

/**
 * Replays the month the way the pipeline resolves it: an identify with a work address links
 * the visitor (and the user id) to the address's domain; later events of that visitor count
 * for the account. Returns every attributed signal.
 */
function attributed(demo: DemoData): Read[] {
  const byAnon = new Map<string, { domain: string; email: string }>();
  const out: Read[] = [];
  for (const { writeKey, event } of demo.events as { writeKey: string; event: Ev }[]) {
    const site = config.sites.sites.find((s) => s.writeKey === writeKey);
    if (!site) throw new Error(`no site for ${writeKey}`);
    if (event.type === 'identify') {
      const email = String(event.traits.email);
      byAnon.set(event.anonymousId, { domain: email.split('@')[1] as string, email });
      continue;
    }
    const who = byAnon.get(event.anonymousId);
    if (!who || event.type !== 'track') continue;
    const signal = TRACK_SIGNALS.includes(event.event) ? event.event : config.signals.eventMap[event.event];
    const url = event.properties.url as string;
    out.push({
      domain: who.domain,
      person: who.email,
      signal,
      url,
      topics: topicsFor(site, configured, url, event.properties.topics).topics,
      ts: Date.parse(event.timestamp),
    });
  }
  return out;
}
const reads = attributed(data);
const ofDomain = (key: string) => {
  const domain = data.scenarios[key];
  if (!domain) throw new Error(`no scenario ${key}`);
  return reads.filter((r) => r.domain === domain);
};

describe('demo generator', () => {
  it('is deterministic for a seed and end date, and differs for another seed', () => {
    // A smaller month keeps this quick; the generator has no size-dependent code path.
    const small = { endDate: END, scale: 0.25, accounts: 300 };
    const a = JSON.stringify(generateDemo({ seed: 7, ...small }));
    expect(JSON.stringify(generateDemo({ seed: 7, ...small })) === a).toBe(true);
    expect(JSON.stringify(generateDemo({ seed: 8, ...small })) === a).toBe(false);
  });

  it('configures every topic its pages declare, so none of them is ignored', () => {
    const byKey = new Map(config.sites.sites.map((s) => [s.writeKey, s]));
    let declared = 0;
    for (const { writeKey, event } of data.events as { writeKey: string; event: Ev }[]) {
      const site = byKey.get(writeKey);
      if (!site || !event.properties?.topics) continue;
      declared += event.properties.topics.length;
      expect(topicsFor(site, configured, event.properties.url, event.properties.topics).ignored).toBe(0);
    }
    expect(declared).toBeGreaterThan(0);
  });

  it('makes configuration every section schema accepts', () => {
    for (const section of DEMO_SECTIONS)
      expect(SECTION_SCHEMAS[section].safeParse(data.config[section]).success, section).toBe(true);
    expect(config.sites.sites).toHaveLength(6);
    expect(config.topics.topics.length).toBeGreaterThanOrEqual(8);
    expect(config.signals.eventMap['Article Read']).toBe('content_read');
    expect(config.pods.pods.map((p) => p.id)).toEqual(expect.arrayContaining(['na-enterprise', 'emea', 'strategic']));
  });

  it('makes about two thousand valid accounts, some with unknown firmographics', () => {
    expect(data.accounts).toHaveLength(2000);
    expect(new Set(data.accounts.map((a) => a.domain)).size).toBe(2000);
    for (const a of data.accounts) expect(Firmographics.safeParse(a).success, a.domain).toBe(true);
    expect(data.accounts.filter((a) => a.employees === undefined).length).toBeGreaterThan(100);
    expect(data.accounts.filter((a) => a.industry === undefined).length).toBeGreaterThan(50);
    const tiers = data.accounts.map((a) => scoreFit(a, config.icp).tier);
    expect(tiers.filter((t) => t === 'A').length).toBeGreaterThan(300);
    expect(tiers.filter((t) => t === 'C' || t === 'D').length).toBeGreaterThan(600);
  });

  it('makes Segment-shaped events the collector accepts, with unique message ids', () => {
    expect(data.events.length).toBeGreaterThan(20_000);
    expect(data.events.length).toBeLessThan(40_000);
    const ids = new Set<string>();
    const writeKeys = new Set(config.sites.sites.map((s) => s.writeKey));
    const problems: string[] = [];
    const agents = new Set<string>();
    for (const { writeKey, event } of data.events) {
      const parsed = RawEvent.safeParse(event);
      if (!parsed.success) {
        problems.push(`${JSON.stringify(event)}: ${parsed.error.message}`);
        continue;
      }
      const e = parsed.data;
      if (!writeKeys.has(writeKey)) problems.push(`unknown write key ${writeKey}`);
      if (!e.anonymousId) problems.push(`${e.messageId}: no anonymousId`);
      if (e.type === 'track' && !(TRACK_SIGNALS.includes(e.event as never) || (e.event ?? '') in config.signals.eventMap)) {
        problems.push(`${e.messageId}: unmapped track ${e.event}`);
      }
      agents.add(e.context?.userAgent ?? '');
      ids.add(e.messageId);
    }
    expect(problems.slice(0, 5)).toEqual([]);
    for (const ua of agents) expect(isbot(ua), ua).toBe(ua.includes('Googlebot'));
    expect(ids.size).toBe(data.events.length);
    expect(JSON.stringify(data.events.slice(0, 100)).length).toBeLessThan(256 * 1024);
  });

  it("keeps every timestamp in the month, sorted, with each identify before the visitor's later events", () => {
    const times = data.events.map((e) => Date.parse(String(e.event.timestamp)));
    const outOfRange = times.filter((t) => !(t >= END.getTime() - 30 * DAY && t <= END.getTime()));
    expect(outOfRange).toEqual([]);
    expect(times.findIndex((t, i) => i > 0 && t < (times[i - 1] as number))).toBe(-1);
    // Once a visitor carries a userId, the identify that introduced it came first.
    const identified = new Set<string>();
    const early: string[] = [];
    for (const { event } of data.events as { event: Ev }[]) {
      if (event.type === 'identify') identified.add(event.anonymousId);
      else if (event.userId && !identified.has(event.anonymousId)) early.push(event.messageId);
    }
    expect(early).toEqual([]);
  });

  it('mixes anonymous readers, free-mail sign-ups, bots and demo requests into the background', () => {
    const evs = data.events.map((e) => e.event as Ev);
    const identifiedAnon = new Set(evs.filter((e) => e.type === 'identify').map((e) => e.anonymousId));
    const anonymous = new Set(evs.filter((e) => !identifiedAnon.has(e.anonymousId)).map((e) => e.anonymousId));
    expect(anonymous.size).toBeGreaterThan(3000);
    expect(evs.filter((e) => e.type === 'identify' && /@gmail\.com$/.test(e.traits.email)).length).toBeGreaterThan(50);
    expect(evs.filter((e) => String(e.context.userAgent).includes('Googlebot/2.1')).length).toBeGreaterThan(200);
    expect(reads.filter((r) => r.signal === 'demo_request').length).toBeGreaterThanOrEqual(3);
    for (const name of ['Article Read', 'content_read', 'Demo Requested', 'demo_request', 'pricing_view', 'content_download']) {
      expect(
        evs.some((e) => e.event === name),
        name,
      ).toBe(true);
    }
  });

  it('puts every scenario account among the accounts', () => {
    const domains = new Set(data.accounts.map((a) => a.domain));
    for (const [key, domain] of Object.entries(data.scenarios)) expect(domains.has(domain), key).toBe(true);
  });

  it('has buying committees: >= 3 identified people, >= 3 reads each on one topic within 14 days', () => {
    for (const key of ['buyingCommittee', 'emeaCommittee', 'strategicCommittee', 'midMarketCommittee']) {
      const own = ofDomain(key).filter((r) => r.signal === 'content_read');
      const topics = new Set(own.flatMap((r) => r.topics));
      const ok = [...topics].some((topic) => {
        const onTopic = own.filter((r) => r.topics.includes(topic));
        const perPerson = new Map<string, number>();
        for (const r of onTopic) perPerson.set(r.person, (perPerson.get(r.person) ?? 0) + 1);
        const span = Math.max(...onTopic.map((r) => r.ts)) - Math.min(...onTopic.map((r) => r.ts));
        return [...perPerson.values()].filter((n) => n >= 3).length >= 3 && span <= 14 * DAY;
      });
      expect(ok, key).toBe(true);
    }
    // The main committee reads in the last ten days, the stale one weeks ago.
    expect(Math.min(...ofDomain('buyingCommittee').map((r) => r.ts))).toBeGreaterThanOrEqual(END.getTime() - 10 * DAY);
    expect(Math.max(...ofDomain('staleCommittee').map((r) => r.ts))).toBeLessThan(END.getTime() - 14 * DAY);
  });

  it('has the false positives: a student and a competitor who read everything, a startup that downloads everything', () => {
    const allRead = new Set(reads.filter((r) => r.signal === 'content_read').map((r) => r.url));
    const allAssets = new Set(reads.filter((r) => r.signal === 'content_download').map((r) => r.url));
    for (const key of ['student', 'competitor']) {
      expect(
        new Set(
          ofDomain(key)
            .filter((r) => r.signal === 'content_read')
            .map((r) => r.url),
        ),
        key,
      ).toEqual(allRead);
    }
    expect(
      new Set(
        ofDomain('startupDownloader')
          .filter((r) => r.signal === 'content_download')
          .map((r) => r.url),
      ),
    ).toEqual(allAssets);
    const fitOf = (key: string) => scoreFit(data.accounts.find((a) => a.domain === data.scenarios[key])!, config.icp);
    expect(fitOf('student').excluded).toBe(true);
    expect(fitOf('competitor').excluded).toBe(true);
    expect(['C', 'D']).toContain(fitOf('startupDownloader').tier);
    expect(['C', 'D']).toContain(fitOf('nonIcpSurge').tier);
    expect(data.accounts.find((a) => a.domain === data.scenarios.startupDownloader)?.employees).toBe(8);
  });

  it('has a quiet enterprise: one identified reader and a pricing visit at a large fitting company', () => {
    const own = ofDomain('quietEnterprise');
    expect(new Set(own.map((r) => r.person)).size).toBe(1);
    expect(own.filter((r) => r.signal === 'content_read')).toHaveLength(1);
    expect(own.filter((r) => r.signal === 'pricing_view')).toHaveLength(1);
    const account = data.accounts.find((a) => a.domain === data.scenarios.quietEnterprise)!;
    expect(account.employees).toBeGreaterThanOrEqual(1000);
    expect(scoreFit(account, config.icp).tier).toBe('A');
    expect(ofDomain('demoRequester').some((r) => r.signal === 'demo_request')).toBe(true);
  });

  it('routes the committees to different pods, the rest to the starter’s default pod after the demo’s', () => {
    // The demo adds its pods before the stack's; a fresh stack has one, `default`, matching everything.
    const pods = [...config.pods.pods, ...defaultSection('pods').pods];
    const pod = (key: string) => routeToPod(data.accounts.find((a) => a.domain === data.scenarios[key])!, pods);
    expect(pod('buyingCommittee')).toBe('na-enterprise');
    expect(pod('emeaCommittee')).toBe('emea');
    expect(pod('strategicCommittee')).toBe('strategic');
    expect(pod('midMarketCommittee')).toBe('default');
    for (const key of ['buyingCommittee', 'emeaCommittee', 'strategicCommittee', 'midMarketCommittee']) {
      expect(['A', 'B'], key).toContain(scoreFit(data.accounts.find((a) => a.domain === data.scenarios[key])!, config.icp).tier);
    }
  });
});

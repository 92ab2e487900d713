import { type Config, SECTION_SCHEMAS, type SectionName } from '@intent/config';
import { configuredTopics, type IngestMessage, normalizeEvent } from '@intent/events';
import { Firmographics, scoreFit } from '@intent/fit';
import { IpRangeMatcher } from '@intent/pipeline';
import { routeToPod } from '@intent/qualify';
import { describe, expect, test } from 'vitest';
import { percentile } from '../../bench/hot-day-freshness';
import {
  batchAt,
  batchCount,
  COMPANY,
  companyVisitors,
  eventAt,
  HOT_DAY_SITE,
  hotDayAccounts,
  hotDayConfig,
  hotDaySpec,
  knownVisitors,
  MARKER_POD,
  markerIdentify,
  raiseMarker,
  raiseMarkerDomain,
  readMarker,
  restamp,
  TOPICS,
} from '../../bench/hot-day-workload';

const config = Object.fromEntries(
  Object.entries(hotDayConfig()).map(([name, value]) => [name, SECTION_SCHEMAS[name as SectionName].parse(value)]),
) as unknown as Config;
const site = config.sites.sites[0]!;
const DAY = '2024-06-10';
const receivedAt = new Date('2024-06-11T08:00:00Z');
const topics = configuredTopics(config.topics);
const collect = (event: unknown) =>
  normalizeEvent(event, { site, source: 'verified', signals: config.signals, topics, receivedAt, hashSecret: 's' });

/** The whole day of a small spec, batch by batch, as the bench posts it. */
function day(events: number) {
  const spec = hotDaySpec(events, DAY);
  return { spec, batches: Array.from({ length: batchCount(spec) }, (_, b) => batchAt(spec, b)) };
}

describe('hot-day workload', () => {
  test('rounds to whole slots of 300 and cuts them into batches of 100: one company batch, then two browser batches', () => {
    expect(hotDaySpec(20_000, DAY).events).toBe(20_100);
    expect(hotDaySpec(300_000, DAY).events).toBe(300_000);
    const { batches } = day(900);
    expect(batches.map((b) => [b.lane, b.events.length])).toEqual(
      Array.from({ length: 3 }, () => [
        ['server', 100],
        ['browser', 100],
        ['browser', 100],
      ]).flat(),
    );
  });

  test('the same spec gives the same bodies (a replay posts them again); another id prefix gives new messageIds only', () => {
    const spec = hotDaySpec(3_000, DAY);
    expect(batchAt(spec, 7)).toEqual(batchAt(spec, 7));
    const other = batchAt({ ...spec, idPrefix: 'hs' }, 7);
    expect(other.events.map((e) => e.anonymousId)).toEqual(batchAt(spec, 7).events.map((e) => e.anonymousId));
    expect(other.events[0]?.messageId).not.toBe(batchAt(spec, 7).events[0]?.messageId);
  });

  test('every event is unique, inside the day, in time order, and accepted by the collector with exactly one topic', () => {
    const { spec, batches } = day(3_000);
    const ids = new Set(batches.flatMap((b) => b.events.map((e) => e.messageId)));
    expect(ids.size).toBe(spec.events);
    const times = Array.from({ length: spec.events }, (_, k) => Date.parse(String(eventAt(spec, k).timestamp)));
    expect(times.every((t, k) => k === 0 || t >= (times[k - 1] as number))).toBe(true);
    expect(new Date(times[0] as number).toISOString().slice(0, 10)).toBe(DAY);
    expect(new Date(times.at(-1) as number).toISOString().slice(0, 10)).toBe(DAY);
    for (const e of batches.flatMap((b) => b.events)) {
      const outcome = collect(e);
      expect(outcome.kind).toBe('accepted');
      const message = (outcome as { message: IngestMessage }).message;
      if (message.signal) expect(message.topics).toHaveLength(1);
    }
  });

  test('a third of the events are the company’s, server-side from many visitors in its range; 20% are engaged reads', () => {
    const { spec, batches } = day(30_000);
    const matcher = new IpRangeMatcher([{ cidr: COMPANY.cidr, domain: COMPANY.domain }]);
    const server = batches.filter((b) => b.lane === 'server').flatMap((b) => b.events);
    const browser = batches.filter((b) => b.lane === 'browser').flatMap((b) => b.events);
    expect(server).toHaveLength(spec.events / 3);
    const ipOf = (e: Record<string, unknown>) => (e.context as { ip?: string }).ip;
    expect(server.every((e) => matcher.match(ipOf(e) ?? '')?.domain === COMPANY.domain)).toBe(true);
    expect(server.every((e) => e.type === 'page' || e.event === 'content_read')).toBe(true);
    expect(new Set(server.map((e) => e.anonymousId)).size).toBeGreaterThan(companyVisitors(spec) * 0.9);
    expect(browser.every((e) => ipOf(e) === undefined)).toBe(true);
    const all = [...server, ...browser];
    const engaged = all.filter((e) => e.event === 'content_read').length / all.length;
    expect(engaged).toBeGreaterThan(0.19);
    expect(engaged).toBeLessThan(0.21);
    const topics = new Set(all.flatMap((e) => (e.properties as { topics?: string[] } | undefined)?.topics ?? []));
    expect([...topics].sort()).toEqual([...TOPICS].sort());
  });

  test('each known person identifies once, some with free mail and a domain, and some read before identifying (stitching)', () => {
    const { spec, batches } = day(30_000);
    const events = batches.flatMap((b) => b.events).sort((a, b) => String(a.timestamp).localeCompare(String(b.timestamp)));
    const identifies = events.filter((e) => e.type === 'identify');
    expect(identifies).toHaveLength(knownVisitors(spec));
    expect(new Set(identifies.map((e) => e.anonymousId)).size).toBe(identifies.length);
    const withDomain = identifies.filter((e) => (e.traits as { domain?: string }).domain);
    expect(withDomain.length).toBeGreaterThan(identifies.length / 5);
    const identifiedAt = new Map(identifies.map((e) => [e.anonymousId, String(e.timestamp)]));
    const readBefore = events.filter(
      (e) =>
        e.event === 'content_read' && identifiedAt.has(e.anonymousId) && String(e.timestamp) < identifiedAt.get(e.anonymousId)!,
    );
    expect(readBefore.length).toBeGreaterThan(10);
  });

  test('the steady phase restamps the workload to now; markers are accepted and hand-raise accounts fit and route to their pod', () => {
    const now = new Date('2024-06-11T07:59:59Z');
    const live = restamp(batchAt(hotDaySpec(900, DAY, 12, 'hs'), 1), now);
    expect(live.events.every((e) => e.timestamp === now.toISOString())).toBe(true);
    for (const e of [markerIdentify('raise', 3, now), raiseMarker(3, now), readMarker(1, 5, 'zero-trust', now), ...live.events])
      expect(collect(e).kind).toBe('accepted');
    expect((collect(markerIdentify('raise', 3, now)) as { message: IngestMessage }).message.identity?.emailDomain).toBe(
      raiseMarkerDomain(3),
    );
    const accounts = hotDayAccounts(2, 3).map((a) => Firmographics.parse(a));
    for (const account of accounts) {
      const raise = account.domain.startsWith('hd-raise-');
      expect(routeToPod(account, config.pods.pods)).toBe(raise ? MARKER_POD : 'default');
      if (raise || account.domain === COMPANY.domain) expect(['A', 'B']).toContain(scoreFit(account, config.icp).tier);
    }
    expect(site.writeKey).toBe(HOT_DAY_SITE.writeKey);
  });
});

describe('hot-day freshness percentiles', () => {
  test('are nearest-rank, NaN without samples, and a marker never seen (Infinity) shows in the tail', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([50, 95, 99].map((p) => percentile(samples, p))).toEqual([50, 95, 99]);
    expect(percentile([], 95)).toBeNaN();
    expect(percentile([3, 1, Number.POSITIVE_INFINITY, 2], 50)).toBe(2);
    expect(percentile([3, 1, Number.POSITIVE_INFINITY, 2], 95)).toBe(Number.POSITIVE_INFINITY);
  });
});

import { LIMITS, Site, TopicsSection } from '@intent/config';
import { CollectorStats, IngestBatch, type IngestMessage } from '@intent/events';
import { collect } from '@intent/pipeline';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TOPICS_PER_EVENT, topicsFor } from '../../packages/events/src/topics';
import { statsActivity } from '../../packages/pipeline/src/activity';
import { defaultConfig } from '../default-config';

/**
 * Which topics an event counts: configured ones it declares and those of the site's URL rules,
 * at most MAX_TOPICS_PER_EVENT; every other id is left out and counted as ignored.
 */

const RUNS = { numRuns: 2000 };
const NOW = new Date('2026-03-15T12:00:00.000Z');

const topicId = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,11}$/);
/** What a client may declare: ids, case and space variants of them, and anything at all. */
const declaredOf = (pool: string[]) =>
  fc.array(
    fc.oneof(
      pool.length ? fc.constantFrom(...pool) : topicId,
      pool.length ? fc.constantFrom(...pool).map((t) => ` ${t.toUpperCase()} `) : topicId,
      topicId,
      fc.string({ maxLength: 80 }),
    ),
    { maxLength: 60 },
  );

const scenario = fc
  .record({
    configured: fc.uniqueArray(topicId, { maxLength: 30 }),
    rules: fc.array(
      fc.record({ section: fc.constantFrom('a', 'b', 'c'), topics: fc.uniqueArray(topicId, { minLength: 1, maxLength: 8 }) }),
      {
        maxLength: 4,
      },
    ),
    page: fc.constantFrom('/a/x', '/b/y', '/c/z', '/d/w'),
    withUrl: fc.boolean(),
  })
  .chain((s) => declaredOf([...s.configured, ...s.rules.flatMap((r) => r.topics)]).map((declared) => ({ ...s, declared })));

function siteWith(rules: { section: string; topics: string[] }[]): Site {
  return Site.parse({
    id: 'prop',
    name: 'Property site',
    writeKey: 'wk_prop',
    topicRules: rules.map((r) => ({ pathPrefix: `/${r.section}/`, topics: r.topics })),
  });
}

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function run(s: Scenario) {
  const site = siteWith(s.rules);
  const url = s.withUrl ? `https://media.example${s.page}?utm=1` : undefined;
  const ruled = new Set(url ? s.rules.filter((r) => s.page.startsWith(`/${r.section}/`)).flatMap((r) => r.topics) : []);
  const normalized = new Set(s.declared.map((d) => d.trim().toLowerCase()));
  return { site, url, ruled, normalized, result: topicsFor(site, new Set(s.configured), url, s.declared) };
}

describe('topicsFor: only configured and URL-rule topics count', () => {
  it('counts only configured or URL-rule ids, never more than the cap, sorted and without repeats', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { ruled, result } = run(s);
        const configured = new Set(s.configured);
        expect(result.topics.length).toBeLessThanOrEqual(MAX_TOPICS_PER_EVENT);
        for (const t of result.topics) expect(configured.has(t) || ruled.has(t)).toBe(true);
        expect(result.topics).toEqual([...new Set(result.topics)].sort());
      }),
      RUNS,
    );
  });

  it('accounts for every distinct id once: counted + ignored = distinct declared ids and rule topics', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { ruled, normalized, result } = run(s);
        expect(result.topics.length + result.ignored).toBe(new Set([...normalized, ...ruled]).size);
      }),
      RUNS,
    );
  });

  it('counts every configured id an event declares (trimmed, any case) while under the cap', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { ruled, normalized, result } = run(s);
        const wanted = new Set([...ruled, ...[...normalized].filter((d) => s.configured.includes(d))]);
        if (wanted.size > MAX_TOPICS_PER_EVENT) return;
        expect(result.topics).toEqual([...wanted].sort());
        expect(result.ignored).toBe([...normalized].filter((d) => !wanted.has(d)).length);
      }),
      RUNS,
    );
  });

  it('keeps URL-rule topics first when an event has more topics than the cap', () => {
    const configured = Array.from({ length: 30 }, (_, i) => `declared-${i}`);
    const site = siteWith([{ section: 'a', topics: ['rule-1', 'rule-2'] }]);
    const result = topicsFor(site, new Set(configured), 'https://media.example/a/post', configured);
    expect(result.topics).toHaveLength(MAX_TOPICS_PER_EVENT);
    expect(result.topics).toEqual(expect.arrayContaining(['rule-1', 'rule-2']));
    expect(result.topics).toEqual(expect.arrayContaining(configured.slice(0, MAX_TOPICS_PER_EVENT - 2)));
    expect(result.ignored).toBe(32 - MAX_TOPICS_PER_EVENT);
  });

  it('leaves out every unconfigured id of a hostile event, and counts each distinct one', () => {
    const site = siteWith([]);
    const hostile = Array.from({ length: 50 }, (_, i) => `${'x'.repeat(57)}${String(i).padStart(3, '0')}`);
    expect(topicsFor(site, new Set(['data-warehousing']), undefined, [...hostile, ...hostile])).toEqual({
      topics: [],
      ignored: 50,
    });
  });

  it('takes its cap from the one table of limits', () => {
    expect(MAX_TOPICS_PER_EVENT).toBe(LIMITS.topicsPerEvent);
    expect(LIMITS.topicsPerRule).toBeLessThanOrEqual(LIMITS.topicsPerEvent);
  });
});

describe('collect: ignored topics travel in the request stats', () => {
  const config = { ...defaultConfig(), topics: TopicsSection.parse({ topics: [{ id: 'data-warehousing', name: 'DW' }] }) };
  const site = config.sites.sites[0] as Site;
  const events = fc.array(
    fc.record({
      type: fc.constantFrom('page', 'track'),
      topics: fc.array(fc.oneof(fc.constant('data-warehousing'), fc.constant('Data-Warehousing'), topicId), { maxLength: 30 }),
    }),
    { minLength: 1, maxLength: 40 },
  );
  const raw = (e: { type: string; topics: string[] }, i: number) => ({
    type: e.type,
    ...(e.type === 'track' ? { event: 'content_read' } : {}),
    messageId: `m-${i}`,
    anonymousId: `v-${i}`,
    timestamp: NOW.toISOString(),
    properties: { topics: e.topics },
  });

  async function through(mode: 'collect' | 'forwarder', batch: unknown[]) {
    const bodies: string[] = [];
    const result = await collect(
      { site, source: 'browser', mode, events: batch, receivedAt: NOW },
      config,
      'unit-secret',
      async (b) => {
        bodies.push(...b);
        return [];
      },
    );
    const entries = bodies.flatMap((b) => IngestBatch.parse(JSON.parse(b)).messages);
    const stats = entries.filter((m): m is CollectorStats => 'kind' in m && m.kind === 'stats');
    const messages = entries.filter((m): m is IngestMessage => !('kind' in m));
    return { result, stats, messages };
  }

  it('accepts every event, counts only configured topics, and reports the rest in one stats entry, on both paths', async () => {
    await fc.assert(
      fc.asyncProperty(events, async (list) => {
        const batch = list.map(raw);
        const expected = list.reduce(
          (n, e) => n + topicsFor(site, new Set(['data-warehousing']), undefined, e.topics).ignored,
          0,
        );
        const direct = await through('collect', batch);
        const forwarded = await through('forwarder', batch);
        for (const { result, stats, messages } of [direct, forwarded]) {
          expect(result.accepted).toBe(list.length);
          expect(result.ignoredTopics).toBe(expected);
          for (const m of messages) expect(m.topics.every((t) => t === 'data-warehousing')).toBe(true);
          expect(stats).toHaveLength(expected ? 1 : 0);
          expect(stats[0]?.ignoredTopics ?? 0).toBe(expected);
          expect(statsActivity(stats[0] ?? emptyStats()).counts.ignoredTopics ?? 0).toBe(expected);
        }
        expect(forwarded.messages.map((m) => m.topics)).toEqual(direct.messages.map((m) => m.topics));
      }),
      { numRuns: 300 },
    );
  });

  it('reads stats messages of earlier collectors, without ignoredTopics, as ignoring nothing', () => {
    const old = CollectorStats.parse(emptyStats());
    expect(old.ignoredTopics).toBeUndefined();
    expect(statsActivity(old).counts).toEqual({ rej_invalid_event: 1 });
  });
});

function emptyStats() {
  return {
    v: 1,
    kind: 'stats',
    id: 'stats:old-collector',
    siteId: 'dev',
    at: NOW.toISOString(),
    rejected: { invalid_event: 1 },
    dropped: {},
  } as const;
}

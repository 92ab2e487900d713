import { DESTINATION_EVENTS, LIMITS, SECTION_SCHEMAS, type SectionName, SIGNALS } from '@intent/config';
import { describe, expect, it } from 'vitest';

/**
 * Every list and string of the configuration sections is bounded (LIMITS): one over a bound is
 * refused with the field's path, as `PUT /v1/config/{section}` answers it; at the bound it is
 * accepted. One test per kind of bound, each over every field of that kind.
 */

type Path = (string | number)[];

const site = (i: number) => ({ id: `site-${i}`, name: `Site ${i}`, writeKey: `wk_site_${i}` });
const BASE: Record<SectionName, unknown> = {
  sites: { sites: [{ ...site(0), allowedOrigins: ['https://a.example'], topicRules: [{ pathPrefix: '/a/', topics: ['a'] }] }] },
  topics: { topics: [{ id: 'a', name: 'A' }] },
  signals: { eventMap: { 'Article Read': 'content_read' } },
  icp: { industries: ['software'] },
  pods: { pods: [{ id: 'p', name: 'P', match: { countries: ['US'] } }] },
  audiences: { audiences: [{ id: 'a', name: 'A', filter: {} }] },
  sla: {},
  destinations: {
    destinations: [
      { id: 'w', type: 'webhook', events: ['account.qualified'], url: 'https://r.example/h', secret: `whsec_${'A'.repeat(32)}` },
    ],
  },
};

/** The base section with `value` at `path`. */
function withValue(section: SectionName, path: Path, value: unknown): unknown {
  const root = structuredClone(BASE[section]) as Record<string | number, unknown>;
  let node = root;
  path.slice(0, -1).forEach((key, i) => {
    node[key] ??= typeof path[i + 1] === 'number' ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  });
  node[path[path.length - 1] as string | number] = value;
  return root;
}

/** Paths of the issues a section's schema finds, as the API's error details name them. */
function issuePaths(section: SectionName, value: unknown): string[] {
  const parsed = SECTION_SCHEMAS[section].safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'));
}

const code = (n: number) => `${String.fromCharCode(65 + (n % 26))}${String.fromCharCode(65 + (Math.floor(n / 26) % 26))}`;
const topic = (i: number) => `t-${i}`;

/** Each bounded list: its section, path, bound and the i-th valid item. */
const LISTS: [SectionName, Path, number, (i: number) => unknown][] = [
  ['sites', ['sites'], LIMITS.sites, site],
  ['sites', ['sites', 0, 'allowedOrigins'], LIMITS.originsPerSite, (i) => `https://o${i}.example`],
  ['sites', ['sites', 0, 'topicRules'], LIMITS.topicRulesPerSite, (i) => ({ pathPrefix: `/r${i}/`, topics: ['a'] })],
  ['sites', ['sites', 0, 'topicRules', 0, 'topics'], LIMITS.topicsPerRule, topic],
  ['topics', ['topics'], LIMITS.topics, (i) => ({ id: topic(i), name: `Topic ${i}` })],
  ['icp', ['industries'], LIMITS.criteria, (i) => `industry ${i}`],
  ['icp', ['countries'], LIMITS.criteria, code],
  ['icp', ['regions'], LIMITS.criteria, (i) => `region ${i}`],
  ['icp', ['techStack', 'required'], LIMITS.criteria, (i) => `tech ${i}`],
  ['icp', ['techStack', 'bonus'], LIMITS.criteria, (i) => `tech ${i}`],
  ['icp', ['growthStages'], LIMITS.criteria, (i) => `stage ${i}`],
  ['icp', ['exclude', 'domains'], LIMITS.domains, (i) => `d${i}.example`],
  ['icp', ['exclude', 'industries'], LIMITS.criteria, (i) => `industry ${i}`],
  ['pods', ['pods'], LIMITS.pods, (i) => ({ id: `p${i}`, name: `Pod ${i}` })],
  ['pods', ['pods', 0, 'match', 'countries'], LIMITS.criteria, code],
  ['pods', ['pods', 0, 'match', 'regions'], LIMITS.criteria, (i) => `region ${i}`],
  ['pods', ['pods', 0, 'match', 'industries'], LIMITS.criteria, (i) => `industry ${i}`],
  ['pods', ['pods', 0, 'match', 'domains'], LIMITS.domains, (i) => `d${i}.example`],
  ['audiences', ['audiences'], LIMITS.audiences, (i) => ({ id: `a${i}`, name: `Audience ${i}` })],
  ['audiences', ['audiences', 0, 'filter', 'topics'], LIMITS.filterEntries, topic],
  ['audiences', ['audiences', 0, 'filter', 'pods'], LIMITS.filterEntries, (i) => `p${i}`],
  ['audiences', ['audiences', 0, 'filter', 'excludeOutcomes'], LIMITS.filterEntries, (i) => `outcome ${i}`],
  ['destinations', ['destinations', 0, 'filter', 'pods'], LIMITS.filterEntries, (i) => `p${i}`],
  ['destinations', ['destinations', 0, 'filter', 'audiences'], LIMITS.filterEntries, (i) => `a${i}`],
  [
    'destinations',
    ['destinations'],
    LIMITS.destinations,
    (i) => ({
      id: `w${i}`,
      type: 'webhook',
      events: ['account.qualified'],
      url: 'https://r.example/h',
      secret: `whsec_${'A'.repeat(32)}`,
    }),
  ],
];

/** Lists of an enumeration's values: bounded by the enumeration's size. */
const ENUM_LISTS: [SectionName, Path, readonly string[]][] = [
  ['signals', ['handRaise'], SIGNALS],
  ['icp', ['salesReadyTiers'], ['A', 'B', 'C', 'D']],
  ['audiences', ['audiences', 0, 'filter', 'tiers'], ['A', 'B', 'C', 'D']],
  ['audiences', ['audiences', 0, 'filter', 'stages'], ['cold', 'aware', 'engaged', 'surging', 'hand_raiser']],
  ['destinations', ['destinations', 0, 'filter', 'tiers'], ['A', 'B', 'C', 'D']],
  ['destinations', ['destinations', 0, 'events'], DESTINATION_EVENTS],
];

/** Each bounded string: its section, path, bound, and a valid value of a given length. */
const STRINGS: [SectionName, Path, number, (n: number) => string][] = [
  ['sites', ['sites', 0, 'name'], LIMITS.nameChars, (n) => 'n'.repeat(n)],
  ['sites', ['sites', 0, 'allowedOrigins', 0], LIMITS.urlChars, (n) => `https://${'o'.repeat(n - 16)}.example`],
  ['sites', ['sites', 0, 'topicRules', 0, 'pathPrefix'], LIMITS.urlChars, (n) => `/${'p'.repeat(n - 1)}`],
  ['topics', ['topics', 0, 'name'], LIMITS.nameChars, (n) => 'n'.repeat(n)],
  ['icp', ['industries', 0], LIMITS.entryChars, (n) => 'i'.repeat(n)],
  ['icp', ['exclude', 'domains', 0], LIMITS.domainChars, (n) => `${'d'.repeat(n - 8)}.example`],
  ['pods', ['pods', 0, 'name'], LIMITS.nameChars, (n) => 'n'.repeat(n)],
  ['pods', ['pods', 0, 'match', 'domains', 0], LIMITS.domainChars, (n) => `${'d'.repeat(n - 8)}.example`],
  ['audiences', ['audiences', 0, 'name'], LIMITS.nameChars, (n) => 'n'.repeat(n)],
  ['audiences', ['audiences', 0, 'filter', 'excludeOutcomes', 0], LIMITS.entryChars, (n) => 'o'.repeat(n)],
  ['destinations', ['destinations', 0, 'url'], LIMITS.urlChars, (n) => `https://r.example/${'p'.repeat(n - 18)}`],
];

/** Each bounded number: its section, path, and its largest valid value. */
const NUMBERS: [SectionName, Path, number][] = [
  ['sla', ['firstTouchHours'], LIMITS.slaHours],
  ['sla', ['feedbackHours'], LIMITS.slaHours],
  ['sla', ['claimHours'], LIMITS.slaHours],
  ['sla', ['rejectCooloffDays'], LIMITS.cooloffDays],
  ['signals', ['windowDays'], 90],
  ['signals', ['halfLifeDays'], 365],
  ['icp', ['tiers', 'A'], 100],
  ['icp', ['tiers', 'B'], 100],
  ['icp', ['tiers', 'C'], 100],
];

describe('configuration bounds (LIMITS)', () => {
  it('holds every hour, day and threshold to its bound, naming the field above it', () => {
    for (const [section, path, max] of NUMBERS) {
      const where = `${section}: ${path.join('.')}`;
      expect(issuePaths(section, withValue(section, path, max)), where).toEqual([]);
      for (const over of [max + 1, 1e308])
        expect(new Set(issuePaths(section, withValue(section, path, over))), where).toEqual(new Set([path.join('.')]));
    }
  });

  it('holds every list to its bound of entries, naming the list on one more', () => {
    for (const [section, path, limit, item] of LISTS) {
      const list = (n: number) => Array.from({ length: n }, (_, i) => item(i));
      const where = `${section}: ${path.join('.')}`;
      expect(issuePaths(section, withValue(section, path, list(limit))), where).toEqual([]);
      expect(issuePaths(section, withValue(section, path, list(limit + 1))), where).toEqual([path.join('.')]);
    }
  });

  it("holds every list of an enumeration's values to the enumeration's size", () => {
    for (const [section, path, values] of ENUM_LISTS) {
      const where = `${section}: ${path.join('.')}`;
      expect(issuePaths(section, withValue(section, path, [...values])), where).toEqual([]);
      expect(issuePaths(section, withValue(section, path, [...values, values[0]])), where).toEqual([path.join('.')]);
    }
  });

  it('holds every string to its bound of characters, naming the string on one more', () => {
    for (const [section, path, limit, value] of STRINGS) {
      const where = `${section}: ${path.join('.')}`;
      expect(issuePaths(section, withValue(section, path, value(limit))), where).toEqual([]);
      expect(issuePaths(section, withValue(section, path, value(limit + 1))), where).toEqual([path.join('.')]);
    }
  });

  it('bounds the event map by its number of names and the length of each name', () => {
    const map = (n: number, length = 10) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`${i}`.padEnd(length, 'x'), 'content_read']));
    expect(issuePaths('signals', { eventMap: map(LIMITS.eventMapEntries) })).toEqual([]);
    expect(issuePaths('signals', { eventMap: map(LIMITS.eventMapEntries + 1) })).toEqual(['eventMap']);
    expect(issuePaths('signals', { eventMap: map(1, LIMITS.eventNameChars) })).toEqual([]);
    const long = 'x'.repeat(LIMITS.eventNameChars + 1);
    expect(issuePaths('signals', { eventMap: { [long]: 'content_read' } })).toEqual([`eventMap.${long}`]);
  });

  it('refuses a section whose entries are each within bounds but whose whole is larger than one stored item allows', () => {
    const origins = Array.from({ length: LIMITS.originsPerSite }, (_, i) => `https://${'o'.repeat(40)}${i}.example`);
    const sites = Array.from({ length: LIMITS.sites }, (_, i) => ({ ...site(i), allowedOrigins: origins }));
    expect(JSON.stringify(sites).length).toBeGreaterThan(LIMITS.sectionBytes);
    expect(issuePaths('sites', { sites })).toEqual(['']);
    expect(issuePaths('sites', { sites: sites.slice(0, 10) })).toEqual([]);
  });
});

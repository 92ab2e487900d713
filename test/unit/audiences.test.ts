import {
  audiencesOf,
  exportRows,
  linkedinWarning,
  matchesFilter,
  memberOf,
  netChanges,
  planMembership,
  type ScoredAccount,
  type StoredStanding,
} from '@intent/audiences';
import { AudiencesSection } from '@intent/config';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const account = (over: Partial<ScoredAccount> = {}): ScoredAccount => ({
  fit: { tier: 'A' },
  intent: {
    stage: 'surging',
    topics: [
      { topic: 'warehousing', stage: 'surging' },
      { topic: 'bi', stage: 'aware' },
    ],
  },
  priority: 60,
  pod: 'emea',
  ...over,
});
const config = (filter: Record<string, unknown>) => AudiencesSection.parse({ audiences: [{ id: 'x', name: 'X', filter }] });
const filterOf = (filter: Record<string, unknown>) => config(filter).audiences[0]!.filter;

describe('audience membership', () => {
  it('puts every scored account in an audience whose filter is all empty lists', () => {
    expect(audiencesOf(account(), undefined, config({}))).toEqual(['x']);
    expect(audiencesOf(undefined, undefined, config({}))).toEqual([]);
  });

  it.each([
    ['tiers', { tiers: ['B'] }, { tiers: ['A', 'B'] }],
    ['stages', { stages: ['hand_raiser'] }, { stages: ['surging'] }],
    ['topics (the topic itself must be surging or hand-raising)', { topics: ['bi'] }, { topics: ['bi', 'warehousing'] }],
    ['pods (the routed pod)', { pods: ['na'] }, { pods: ['emea'] }],
    ['minPriority', { minPriority: 61 }, { minPriority: 60 }],
  ])('applies %s', (_name, out, inside) => {
    expect(matchesFilter(account(), undefined, filterOf(out))).toBe(false);
    expect(matchesFilter(account(), undefined, filterOf(inside))).toBe(true);
  });

  it('excludes accounts whose feedback hold has an excluded outcome, and only those', () => {
    const filter = filterOf({ excludeOutcomes: ['opportunity', 'closed_won'] });
    expect(matchesFilter(account(), { outcome: 'opportunity' }, filter)).toBe(false);
    expect(matchesFilter(account(), { outcome: 'accepted' }, filter)).toBe(true);
    expect(matchesFilter(account(), {}, filter)).toBe(true);
  });

  it('never puts an account without a pod in a pod-filtered audience', () => {
    expect(matchesFilter(account({ pod: undefined }), undefined, filterOf({ pods: ['emea'] }))).toBe(false);
  });

  it('answers the ids in configuration order', () => {
    const cfg = AudiencesSection.parse({
      audiences: [
        { id: 'b', name: 'B', filter: { tiers: ['A'] } },
        { id: 'none', name: 'N', filter: { tiers: ['D'] } },
        { id: 'a', name: 'A', filter: {} },
      ],
    });
    expect(audiencesOf(account(), undefined, cfg)).toEqual(['b', 'a']);
  });
});

describe('net changes of a membership log', () => {
  it('reports neither a member that left and came back nor one that joined and left', () => {
    const log = [
      { domain: 'back.example', op: 'remove' as const },
      { domain: 'brief.example', op: 'add' as const },
      { domain: 'new.example', op: 'add' as const },
      { domain: 'back.example', op: 'add' as const },
      { domain: 'brief.example', op: 'remove' as const },
      { domain: 'gone.example', op: 'remove' as const },
    ];
    expect(netChanges(log)).toEqual({ added: ['new.example'], removed: ['gone.example'] });
  });

  it('equals the difference of the membership before and after any alternating log', () => {
    const domains = ['a', 'b', 'c', 'd'];
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 40 }),
        (initial, toggles) => {
          const state = new Map(domains.map((d, i) => [d, initial[i] ?? false]));
          const before = new Set(domains.filter((d) => state.get(d)));
          const log = toggles.map((i) => {
            const d = domains[i] as string;
            state.set(d, !state.get(d));
            return { domain: d, op: state.get(d) ? ('add' as const) : ('remove' as const) };
          });
          const after = new Set(domains.filter((d) => state.get(d)));
          const { added, removed } = netChanges(log);
          expect(added).toEqual(domains.filter((d) => after.has(d) && !before.has(d)));
          expect(removed).toEqual(domains.filter((d) => before.has(d) && !after.has(d)));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('planning memberships from a stored score (a definition change)', () => {
  const firmographics = { name: 'Acme', country: 'GB' };
  const cfg = AudiencesSection.parse({
    audiences: [
      { id: 'surging', name: 'Surging', filter: { stages: ['surging'] } },
      { id: 'tier-b', name: 'Tier B', filter: { tiers: ['B'] } },
      { id: 'emea', name: 'EMEA pod', filter: { pods: ['emea'] } },
    ],
  });
  const standing = (member: boolean, score = account()): StoredStanding => ({
    member,
    view: memberOf('acme.example', firmographics, score),
  });

  it('joins the audiences it now fits, leaves the ones it no longer does, and leaves audiences no longer configured', () => {
    const stored = new Map([
      ['tier-b', standing(true)],
      ['emea', standing(false)],
      ['retired', standing(true)],
    ]);
    const plan = planMembership('acme.example', firmographics, account(), undefined, cfg, stored);
    expect(plan.audiences).toEqual(['surging', 'emea']);
    expect(plan.changes.map((c) => [c.audienceId, c.kind, c.member])).toEqual([
      ['surging', 'join', true],
      ['tier-b', 'leave', false],
      ['emea', 'join', true],
      ['retired', 'leave', false],
    ]);
  });

  it('refreshes a staying member whose exported fields changed, and writes nothing for what agrees', () => {
    const before = account({ priority: 40 });
    const plan = planMembership(
      'acme.example',
      firmographics,
      account(),
      undefined,
      cfg,
      new Map([
        ['surging', standing(true, before)],
        ['emea', standing(true)],
      ]),
    );
    expect(plan.changes).toEqual([
      { audienceId: 'surging', kind: 'refresh', member: true, view: memberOf('acme.example', firmographics, account()) },
    ]);
  });

  it('keeps the view a member had when it leaves', () => {
    const old = memberOf('acme.example', { name: 'Old name' }, account());
    const plan = planMembership(
      'acme.example',
      firmographics,
      account({ pod: 'na' }),
      undefined,
      cfg,
      new Map([['emea', { member: true, view: old }]]),
    );
    expect(plan.changes.find((c) => c.audienceId === 'emea')).toEqual({
      audienceId: 'emea',
      kind: 'leave',
      member: false,
      view: old,
    });
  });

  it('leaves stored memberships agreeing with the evaluation, and plans nothing the second time', () => {
    const stages = ['cold', 'aware', 'engaged', 'surging', 'hand_raiser'] as const;
    const ids = ['surging', 'tier-b', 'emea', 'retired'];
    fc.assert(
      fc.property(
        fc.constantFrom(...stages),
        fc.constantFrom('A', 'B', 'C'),
        fc.constantFrom('emea', 'na', undefined),
        fc.integer({ min: 0, max: 100 }),
        fc.array(fc.option(fc.boolean(), { nil: undefined }), { minLength: 4, maxLength: 4 }),
        (stage, tier, pod, priority, standings) => {
          const score = account({ fit: { tier }, intent: { stage, topics: [] }, priority, pod });
          const stored = new Map<string, StoredStanding>();
          for (const [i, m] of standings.entries())
            if (m !== undefined) stored.set(ids[i] as string, standing(m, account({ priority: 7 })));
          const plan = planMembership('acme.example', firmographics, score, undefined, cfg, stored);
          for (const c of plan.changes) stored.set(c.audienceId, { member: c.member, view: c.view });
          expect(ids.filter((id) => stored.get(id)?.member)).toEqual(plan.audiences.filter((id) => ids.includes(id)));
          expect(plan.audiences).toEqual(audiencesOf(score, undefined, cfg));
          expect(planMembership('acme.example', firmographics, score, undefined, cfg, stored).changes).toEqual([]);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('exports', () => {
  const member = memberOf('acme.example', { name: 'Acme, "The" Corp', industry: 'Software', country: 'US' }, account());
  it('fills the LinkedIn template columns we know, in order, and leaves the rest empty', () => {
    expect(exportRows([member], 'linkedin')).toEqual([
      [
        'companyname',
        'companywebsite',
        'companyemaildomain',
        'linkedincompanypageurl',
        'stocksymbol',
        'industry',
        'city',
        'state',
        'companycountry',
        'zipcode',
      ],
      ['Acme, "The" Corp', 'https://acme.example', 'acme.example', '', '', 'Software', '', '', 'US', ''],
    ]);
  });
  it('gives the generic columns with top topics joined by semicolons', () => {
    expect(exportRows([member], 'generic')[1]).toEqual([
      'acme.example',
      'Acme, "The" Corp',
      'A',
      'surging',
      '60',
      'warehousing;bi',
    ]);
  });
  it('prefixes with a quote every cell a spreadsheet would run as a formula (OWASP CSV injection), in both formats', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      const name = `${start}HYPERLINK("https://evil.example","x")`;
      const hostile = memberOf('acme.example', { name, industry: `${start}cmd|' /C calc'!A0` }, account());
      const [linkedin] = exportRows([hostile], 'linkedin').slice(1);
      expect(linkedin?.[0]).toBe(`'${name}`);
      expect(linkedin?.[5]).toBe(`'${start}cmd|' /C calc'!A0`);
      expect(exportRows([hostile], 'generic')[1]?.[1]).toBe(`'${name}`);
    }
    expect(exportRows([member], 'linkedin')[1]?.[0]).toBe('Acme, "The" Corp');
  });
  it('warns below 300 and above 300,000 companies only', () => {
    expect(linkedinWarning(299)).toBe('LinkedIn matches lists of 300 to 300,000 companies; this audience has 299');
    expect(linkedinWarning(300)).toBeUndefined();
    expect(linkedinWarning(300_001)).toMatch(/this audience has 300001/);
  });
});

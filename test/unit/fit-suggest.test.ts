import { IcpSection } from '@intent/config';
import { type Firmographics, scoreFit, suggestIcp } from '@intent/fit';
import { describe, expect, it } from 'vitest';

const INDUSTRIES = ['software', 'retail', 'manufacturing', 'healthcare', 'media'];

/**
 * A synthetic base of 100 accounts: industries evenly spread (20 each), 40% in the US, sizes
 * from 5 to ~50,000. The 10 won accounts are mostly mid-size US software companies on
 * snowflake, which is what the suggestion should rediscover.
 */
function syntheticBase(): { all: Firmographics[]; won: Firmographics[] } {
  const all: Firmographics[] = [];
  for (let i = 0; i < 100; i++) {
    all.push({
      domain: `co${i}.example`,
      industry: INDUSTRIES[i % 5],
      country: i % 5 < 2 ? 'US' : i % 5 < 4 ? 'DE' : 'FR',
      employees: 5 + ((i * 4999) % 50000),
      techStack: i % 10 === 0 ? ['snowflake'] : ['oracle'],
    });
  }
  const won: Firmographics[] = [];
  for (let k = 0; k < 10; k++) {
    won.push({
      domain: `won${k}.example`,
      industry: k < 8 ? 'software' : 'retail',
      country: 'US',
      employees: 500 + k * 400,
      techStack: k < 6 ? ['snowflake', 'dbt'] : k === 6 ? ['rare-tool'] : ['oracle'],
    });
  }
  // The won accounts belong to the base too, as they do in the account table.
  return { all: [...all, ...won], won };
}

describe('suggestIcp', () => {
  const { all, won } = syntheticBase();
  const result = suggestIcp(won, all);

  it('finds the over-represented industry, country and technology, and nothing that merely matches the base', () => {
    expect(result.icp.industries).toEqual(['software']);
    expect(result.icp.countries).toEqual(['US']);
    expect(result.icp.techStack.bonus).toEqual(['dbt', 'snowflake']);
    expect(result.icp.techStack.required).toEqual([]);
    expect(result.basedOn).toBe(10);
  });

  it('ignores a value held by a single won account, however rare in the base', () => {
    expect(result.icp.techStack.bonus).not.toContain('rare-tool');
  });

  it('proposes the 10th-90th percentile employee range of won accounts, in round numbers', () => {
    // won employees 500..4100 step 400: p10 = 860, p90 = 3740
    expect(result.icp.employees).toEqual({ min: 860, max: 3800 });
    expect(result.icp.revenueUsd).toBeUndefined();
  });

  it('backs every proposed criterion with evidence sentences and a lift of at least the threshold', () => {
    const industry = result.evidence.find((e) => e.criterion === 'industry');
    expect(industry).toMatchObject({ value: 'software' });
    expect(industry?.won).toBe('8 of 10 won accounts (80%) are in the software industry.');
    expect(industry?.base).toBe('28 of 110 accounts in the base (25%) are in the software industry.');
    expect(industry?.lift).toBe(3.1);
    for (const e of result.evidence) expect(e.lift).toBeGreaterThanOrEqual(e.criterion === 'employees' ? 1.2 : 1.5);
    expect(result.evidence.map((e) => e.criterion)).toEqual(['employees', 'industry', 'country', 'techStack', 'techStack']);
  });

  it('yields an icp section that the config schema accepts and that rates won accounts above the base', () => {
    const icp = IcpSection.parse(result.icp);
    const mean = (xs: Firmographics[]) => xs.reduce((s, a) => s + scoreFit(a, icp).score, 0) / xs.length;
    expect(mean(won)).toBeGreaterThan(mean(all) + 20);
  });

  it('adds won accounts missing from the base, de-duplicated by domain', () => {
    const { all: base, won: w } = syntheticBase();
    const again = suggestIcp([...w, { ...(w[0] as Firmographics), domain: 'https://www.won0.example/' }], base.slice(0, 100));
    expect(again.basedOn).toBe(10);
    expect(again.icp.industries).toEqual(['software']);
  });

  it('proposes no criteria when won accounts look like the base or there are none', () => {
    expect(suggestIcp(all, all).icp).toEqual({
      industries: [],
      countries: [],
      regions: [],
      growthStages: [],
      techStack: { required: [], bonus: [] },
    });
    expect(suggestIcp([], all)).toMatchObject({ basedOn: 0, evidence: [] });
  });
});

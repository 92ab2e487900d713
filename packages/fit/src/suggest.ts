import { normalizeDomain } from './domain';
import type { Firmographics } from './firmographics';
import { fmtCount, fmtUsd } from './score';

/**
 * An ICP proposed from closed-won accounts, so the definition of "qualified" rests on what
 * actually bought rather than on opinion. Everything here is descriptive statistics that a
 * revenue-operations person can check by hand from the evidence sentences.
 */

export type SuggestedCriterion = 'employees' | 'revenueUsd' | 'industry' | 'country' | 'region' | 'techStack' | 'growthStage';

/** The criteria part of the `icp` config section: `PUT /v1/config/icp` accepts it as is. */
export interface IcpSuggestion {
  employees?: { min: number; max: number };
  revenueUsd?: { min: number; max: number };
  industries: string[];
  countries: string[];
  regions: string[];
  growthStages: string[];
  techStack: { required: string[]; bonus: string[] };
}
export interface IcpEvidence {
  criterion: SuggestedCriterion;
  /** The category value (industry, country, ...) or the range, as proposed. */
  value: string;
  won: string;
  base: string;
  /** Share among won accounts divided by share in the whole base (1 = no difference). */
  lift: number;
}
export interface IcpSuggestionResult {
  icp: IcpSuggestion;
  evidence: IcpEvidence[];
  /** How many distinct won accounts the suggestion rests on. */
  basedOn: number;
}

/** A category must be this much more common among won accounts than in the base... */
const MIN_LIFT = 1.5;
/** ...and hold for at least this many won accounts, so one lucky deal proposes nothing. */
const MIN_ACCOUNTS = 2;
/** A size range needs this many known values before percentiles mean anything. */
const MIN_RANGE_VALUES = 3;
/** A range that the base falls into about as often as the won accounts does not discriminate. */
const MIN_RANGE_LIFT = 1.2;

/**
 * `won`: accounts with `closed_won` feedback. `all`: the whole account base; won accounts
 * missing from it are added, so the base always contains them (de-duplicated by domain).
 */
export function suggestIcp(won: Firmographics[], all: Firmographics[]): IcpSuggestionResult {
  const wonSet = dedupe(won);
  const base = dedupe([...all, ...won]);
  const icp: IcpSuggestion = {
    industries: [],
    countries: [],
    regions: [],
    growthStages: [],
    techStack: { required: [], bonus: [] },
  };
  const evidence: IcpEvidence[] = [];

  const ranges = [
    {
      key: 'employees',
      get: (a: Firmographics) => a.employees,
      fmt: fmtCount,
      unit: 'employees',
      what: 'a known employee count',
    },
    { key: 'revenueUsd', get: (a: Firmographics) => a.revenueUsd, fmt: fmtUsd, unit: 'in revenue', what: 'a known revenue' },
  ] as const;
  for (const r of ranges) {
    const values = wonSet
      .map(r.get)
      .filter(isNum)
      .sort((x, y) => x - y);
    if (values.length < MIN_RANGE_VALUES) continue;
    const min = roundSig(percentile(values, 0.1), Math.floor);
    const max = roundSig(percentile(values, 0.9), Math.ceil);
    const inRange = (v: number) => v >= min && v <= max;
    const wonIn = values.filter(inRange).length;
    const baseValues = base.map(r.get).filter(isNum);
    const baseIn = baseValues.filter(inRange).length;
    const lift = ratio(wonIn / values.length, baseIn / baseValues.length);
    if (lift < MIN_RANGE_LIFT) continue;
    icp[r.key] = { min, max };
    const span = `${r.fmt(min)}-${r.fmt(max)}`;
    evidence.push({
      criterion: r.key,
      value: span,
      won: `${wonIn} of ${values.length} won accounts with ${r.what} (${pct(wonIn, values.length)}) have ${span} ${r.unit} (the 10th to 90th percentile).`,
      base: `${baseIn} of ${baseValues.length} accounts in the base with ${r.what} (${pct(baseIn, baseValues.length)}) fall in that range.`,
      lift: round1(lift),
    });
  }

  const categories = [
    {
      criterion: 'industry',
      target: icp.industries,
      get: (a: Firmographics) => lower(a.industry),
      phrase: (v: string) => `are in the ${v} industry`,
    },
    {
      criterion: 'country',
      target: icp.countries,
      get: (a: Firmographics) => upper(a.country),
      phrase: (v: string) => `are based in ${v}`,
    },
    {
      criterion: 'region',
      target: icp.regions,
      get: (a: Firmographics) => lower(a.region),
      phrase: (v: string) => `are in the ${v} region`,
    },
    {
      criterion: 'growthStage',
      target: icp.growthStages,
      get: (a: Firmographics) => lower(a.growthStage),
      phrase: (v: string) => `are at the ${v} growth stage`,
    },
    {
      criterion: 'techStack',
      target: icp.techStack.bonus,
      get: (a: Firmographics) => (a.techStack ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean),
      phrase: (v: string) => `use ${v}`,
    },
  ] as const;
  for (const c of categories) {
    const wonValues = wonSet.map((a) => asList(c.get(a))).filter((vs) => vs.length > 0);
    const baseValues = base.map((a) => asList(c.get(a))).filter((vs) => vs.length > 0);
    const wonCounts = countValues(wonValues);
    const baseCounts = countValues(baseValues);
    const found: IcpEvidence[] = [];
    for (const [value, wonCount] of wonCounts) {
      if (wonCount < MIN_ACCOUNTS) continue;
      const baseCount = baseCounts.get(value) ?? wonCount;
      const lift = ratio(wonCount / wonValues.length, baseCount / baseValues.length);
      if (lift < MIN_LIFT) continue;
      found.push({
        criterion: c.criterion,
        value,
        won: `${wonCount} of ${wonValues.length} won accounts (${pct(wonCount, wonValues.length)}) ${c.phrase(value)}.`,
        base: `${baseCount} of ${baseValues.length} accounts in the base (${pct(baseCount, baseValues.length)}) ${c.phrase(value)}.`,
        lift: round1(lift),
      });
    }
    found.sort((a, b) => b.lift - a.lift || a.value.localeCompare(b.value));
    for (const e of found) (c.target as string[]).push(e.value);
    evidence.push(...found);
  }

  // Ranges first, as in the config section, so the JSON reads in the order people expect.
  const { employees, revenueUsd, ...lists } = icp;
  const ordered: IcpSuggestion = { ...(employees && { employees }), ...(revenueUsd && { revenueUsd }), ...lists };
  return { icp: ordered, evidence, basedOn: wonSet.length };
}

function dedupe(accounts: Firmographics[]): Firmographics[] {
  const byDomain = new Map<string, Firmographics>();
  for (const a of accounts) {
    const d = normalizeDomain(a.domain) ?? a.domain.trim().toLowerCase();
    if (!byDomain.has(d)) byDomain.set(d, a);
  }
  return [...byDomain.values()];
}

/** Linear interpolation between closest ranks; `sorted` is ascending and non-empty. */
export function percentile(sorted: number[], p: number): number {
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? 0;
  const b = sorted[hi] ?? a;
  return a + (b - a) * (pos - lo);
}

/** Two significant digits, rounded outwards, so ranges read like a person typed them (250, 4,100). */
function roundSig(n: number, dir: (x: number) => number): number {
  if (n <= 0) return 0;
  const step = 10 ** Math.max(0, Math.floor(Math.log10(n)) - 1);
  return dir(n / step) * step;
}

function countValues(rows: string[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const vs of rows) for (const v of new Set(vs)) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/** Compared against the thresholds unrounded; rounded to one decimal only for display. */
function ratio(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}
function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
function pct(n: number, of: number): string {
  return `${Math.round((100 * n) / of)}%`;
}
function isNum(v: number | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
function lower(v: string | undefined): string | undefined {
  const t = v?.trim().toLowerCase();
  return t ? t : undefined;
}
function upper(v: string | undefined): string | undefined {
  const t = v?.trim().toUpperCase();
  return t ? t : undefined;
}

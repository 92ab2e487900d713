import { type IcpConfig, icpIsEmpty } from '@intent/config';
import { z } from 'zod';
import { domainMatches, isFreeMailDomain, isStudentDomain, normalizeDomain } from './domain';
import type { Firmographics } from './firmographics';

export const Tier = z.enum(['A', 'B', 'C', 'D']);
export type Tier = z.infer<typeof Tier>;
const FitCriterion = z.enum([
  'employees',
  'revenueUsd',
  'industry',
  'country',
  'region',
  'techStack',
  'growthStage',
  'exclusion',
  'icp',
]);
export type FitCriterion = z.infer<typeof FitCriterion>;
const FitReason = z.object({
  criterion: FitCriterion,
  status: z.enum(['matched', 'failed', 'unknown', 'bonus', 'excluded']),
  /** A plain sentence a person reads. */
  message: z.string(),
});
export type FitReason = z.infer<typeof FitReason>;
export const Fit = z.object({
  /** 0-100 integer. */
  score: z.number(),
  tier: Tier,
  reasons: z.array(FitReason),
  excluded: z.boolean(),
});
export type Fit = z.infer<typeof Fit>;

type Scored = Exclude<FitCriterion, 'exclusion' | 'icp'>;

/**
 * Relative weight of each configured criterion. Size carries the most because the classic
 * failure (a 10-person startup scoring like an enterprise) is a size mismatch.
 */
export const FIT_WEIGHTS: Record<Scored, number> = {
  employees: 30,
  revenueUsd: 20,
  industry: 20,
  country: 15,
  region: 10,
  techStack: 15,
  growthStage: 10,
};
/** Share of its weight an unknown criterion earns: neither rewarded nor punished. */
const UNKNOWN_CREDIT = 0.5;
/** Points per bonus technology the account uses, and the most bonus can add. */
const BONUS_PER_TECH = 5;
const BONUS_CAP = 10;
/** Score of a non-excluded account when the ICP names no criterion (tier B by default). */
const EMPTY_ICP_SCORE = 60;
const NO_ICP_REASON = 'no ICP configured yet';

type Outcome = { status: 'matched' | 'failed' | 'unknown'; message: string };

function tierFor(score: number, tiers: IcpConfig['tiers']): Tier {
  if (score >= tiers.A) return 'A';
  if (score >= tiers.B) return 'B';
  if (score >= tiers.C) return 'C';
  return 'D';
}

/**
 * Fit of one account against the ICP: hard exclusions first, then a weighted share of the
 * configured criteria (see packages/fit/README.md for the formula).
 */
export function scoreFit(account: Firmographics, icp: IcpConfig): Fit {
  const exclusions = exclusionReasons(account, icp);
  if (exclusions.length > 0) return { score: 0, tier: 'D', reasons: exclusions, excluded: true };
  if (icpIsEmpty(icp)) {
    return {
      score: EMPTY_ICP_SCORE,
      tier: tierFor(EMPTY_ICP_SCORE, icp.tiers),
      reasons: [{ criterion: 'icp', status: 'matched', message: NO_ICP_REASON }],
      excluded: false,
    };
  }

  const reasons: FitReason[] = [];
  let total = 0;
  let earned = 0;
  for (const [criterion, outcome] of evaluate(account, icp)) {
    const w = FIT_WEIGHTS[criterion];
    total += w;
    if (outcome.status === 'matched') earned += w;
    else if (outcome.status === 'unknown') earned += w * UNKNOWN_CREDIT;
    reasons.push({ criterion, ...outcome });
  }
  // Only bonus technologies configured: nothing to measure, so start from the neutral score.
  let score = total > 0 ? (100 * earned) / total : EMPTY_ICP_SCORE;

  const stack = new Set((account.techStack ?? []).map((t) => t.toLowerCase()));
  const bonusHits = icp.techStack.bonus.filter((t) => stack.has(t));
  if (bonusHits.length > 0) {
    const bonus = Math.min(BONUS_CAP, bonusHits.length * BONUS_PER_TECH);
    score += bonus;
    reasons.push({
      criterion: 'techStack',
      status: 'bonus',
      message: `Uses ${list(bonusHits)}, which the ICP favours (+${bonus} points).`,
    });
  }
  score = Math.max(0, Math.min(100, Math.round(score)));
  // Failures first: they are what a person wants to see when a score looks low.
  const order = { excluded: 0, failed: 1, unknown: 2, matched: 3, bonus: 4 };
  reasons.sort((a, b) => order[a.status] - order[b.status]);
  return { score, tier: tierFor(score, icp.tiers), reasons, excluded: false };
}

function exclusionReasons(account: Firmographics, icp: IcpConfig): FitReason[] {
  const domain = normalizeDomain(account.domain) ?? account.domain.trim().toLowerCase();
  const out: FitReason[] = [];
  const add = (message: string) => out.push({ criterion: 'exclusion', status: 'excluded', message });
  const hit = icp.exclude.domains.find((d) => domainMatches(domain, d));
  if (hit) add(`${domain} is excluded by the ICP (excluded domain ${hit}, e.g. a competitor).`);
  const industry = account.industry?.trim().toLowerCase();
  if (industry && icp.exclude.industries.includes(industry)) {
    add(`The industry ${account.industry} is excluded by the ICP.`);
  }
  if (icp.exclude.freeMail && isFreeMailDomain(domain)) {
    add(`${domain} is a free-mail or ISP domain, which says nothing about an employer.`);
  }
  if (icp.exclude.students && isStudentDomain(domain)) {
    add(`${domain} is a student or academic domain.`);
  }
  return out;
}

/** Each configured criterion in a fixed order with its outcome; unconfigured ones are skipped. */
function evaluate(a: Firmographics, icp: IcpConfig): [Scored, Outcome][] {
  const out: [Scored, Outcome][] = [];
  if (icp.employees) out.push(['employees', range(a.employees, icp.employees, 'employee count', fmtCount, 'employees')]);
  if (icp.revenueUsd) out.push(['revenueUsd', range(a.revenueUsd, icp.revenueUsd, 'annual revenue', fmtUsd, 'in revenue')]);
  if (icp.industries.length) out.push(['industry', oneOf(a.industry, icp.industries, 'industry')]);
  if (icp.countries.length) out.push(['country', oneOf(a.country, icp.countries, 'country')]);
  if (icp.regions.length) out.push(['region', oneOf(a.region, icp.regions, 'region')]);
  if (icp.techStack.required.length) out.push(['techStack', required(a.techStack, icp.techStack.required)]);
  if (icp.growthStages.length) out.push(['growthStage', oneOf(a.growthStage, icp.growthStages, 'growth stage')]);
  return out;
}

function range(
  value: number | undefined,
  r: { min?: number; max?: number },
  what: string,
  fmt: (n: number) => string,
  unit: string,
): Outcome {
  const wanted = describeRange(r, fmt);
  if (value === undefined || !Number.isFinite(value)) {
    return { status: 'unknown', message: `${cap(what)} unknown; the ICP asks for ${wanted} ${unit}.` };
  }
  const ok = (r.min === undefined || value >= r.min) && (r.max === undefined || value <= r.max);
  return ok
    ? { status: 'matched', message: `${fmt(value)} ${unit} is within the ICP range of ${wanted}.` }
    : { status: 'failed', message: `${fmt(value)} ${unit} is outside the ICP range of ${wanted}.` };
}

function oneOf(value: string | undefined, allowed: string[], what: string): Outcome {
  const v = value?.trim();
  if (!v) return { status: 'unknown', message: `${cap(what)} unknown; the ICP asks for ${list(allowed, 'or')}.` };
  // Config lists are normalised (countries upper, the rest lower), so compare case-insensitively.
  const ok = allowed.some((x) => x.toLowerCase() === v.toLowerCase());
  return ok
    ? { status: 'matched', message: `${cap(what)} ${v} is in the ICP (${list(allowed, 'or')}).` }
    : { status: 'failed', message: `${cap(what)} ${v} is not in the ICP (${list(allowed, 'or')}).` };
}

function required(stack: string[] | undefined, needed: string[]): Outcome {
  // An empty stack is treated as unknown: no enrichment data is not evidence of absence.
  if (!stack || stack.length === 0) {
    return { status: 'unknown', message: `Technology stack unknown; the ICP requires ${list(needed)}.` };
  }
  const have = new Set(stack.map((t) => t.toLowerCase()));
  const missing = needed.filter((t) => !have.has(t));
  return missing.length === 0
    ? { status: 'matched', message: `Uses every required technology (${list(needed)}).` }
    : { status: 'failed', message: `Missing required technology: ${list(missing)}.` };
}

function describeRange(r: { min?: number; max?: number }, fmt: (n: number) => string): string {
  if (r.min !== undefined && r.max !== undefined) return `${fmt(r.min)}-${fmt(r.max)}`;
  if (r.min !== undefined) return `at least ${fmt(r.min)}`;
  if (r.max !== undefined) return `at most ${fmt(r.max)}`;
  return 'any amount of';
}

export function fmtCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function fmtUsd(n: number): string {
  const units: [number, string][] = [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, suffix] of units) {
    if (n >= size) return `$${Number((n / size).toFixed(1))}${suffix}`;
  }
  return `$${Math.round(n)}`;
}

export function list(xs: string[], conj = 'and'): string {
  if (xs.length <= 1) return xs.join('');
  return `${xs.slice(0, -1).join(', ')} ${conj} ${xs[xs.length - 1]}`;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

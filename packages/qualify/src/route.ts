import type { Pod } from '@intent/config';
import { domainMatches, type Firmographics, normalizeDomain } from '@intent/fit';

type Range = { min?: number; max?: number };

/**
 * The pod that owns an account: the first whose every given match field holds, so the order
 * of `pods` is the precedence (named accounts and territories before a catch-all). Empty
 * lists and ranges without bounds constrain nothing; an unknown firmographic fails a field
 * that is constrained, because routing on a guess would hand the account to the wrong team.
 */
export function routeToPod(account: Firmographics, pods: Pod[]): string | undefined {
  return pods.find((pod) => podMatches(account, pod.match ?? {}))?.id;
}

function podMatches(a: Firmographics, m: Pod['match']): boolean {
  const domain = normalizeDomain(a.domain) ?? a.domain.trim().toLowerCase();
  return (
    inList(
      a.country?.toUpperCase(),
      m.countries?.map((c) => c.toUpperCase()),
    ) &&
    inList(
      a.region?.toLowerCase(),
      m.regions?.map((r) => r.toLowerCase()),
    ) &&
    inList(
      a.industry?.toLowerCase(),
      m.industries?.map((i) => i.toLowerCase()),
    ) &&
    inRange(a.employees, m.employees) &&
    inRange(a.revenueUsd, m.revenueUsd) &&
    (!m.domains?.length || m.domains.some((d) => domainMatches(domain, d.toLowerCase())))
  );
}

/**
 * True when a pod's match names no criterion, so it takes every account: a pod listed after
 * it never receives one (the first pod that matches wins).
 */
export function matchesEveryAccount(m: Pod['match']): boolean {
  const lists = [m.countries, m.regions, m.industries, m.domains];
  const ranges = [m.employees, m.revenueUsd];
  return lists.every((l) => !l?.length) && ranges.every((r) => !r || (r.min === undefined && r.max === undefined));
}

function inList(value: string | undefined, allowed: string[] | undefined): boolean {
  if (!allowed || allowed.length === 0) return true;
  const v = value?.trim();
  return v !== undefined && v !== '' && allowed.includes(v);
}

function inRange(value: number | undefined, r: Range | undefined): boolean {
  if (!r || (r.min === undefined && r.max === undefined)) return true;
  if (value === undefined || !Number.isFinite(value)) return false;
  return (r.min === undefined || value >= r.min) && (r.max === undefined || value <= r.max);
}

import { type Pod, SECTION_SCHEMAS, type SectionName } from '@intent/config';
import { matchesEveryAccount } from '@intent/qualify';
import { parseShown } from './shown-values';

/**
 * How the scripts add configuration beside what a stack has (`PUT /v1/config/{section}` itself
 * replaces a section). Sections that are lists of entries with ids (sites, topics, pods,
 * audiences) are merged by id; the others (signals, icp, sla) are one object each, so a new
 * value replaces the old one whole, and the plan says so.
 */

/** The list each list section holds, by section. */
const ENTRY_LISTS = { sites: 'sites', topics: 'topics', pods: 'pods', audiences: 'audiences' } as const;
type ListSection = keyof typeof ENTRY_LISTS;
type Entry = { id: string };

export function isListSection(section: SectionName): section is ListSection {
  return section in ENTRY_LISTS;
}

export interface SectionPlan {
  section: SectionName;
  /** What to PUT. */
  value: unknown;
  /** False when the stack already has exactly this: nothing to PUT. */
  changed: boolean;
  /** Entry ids, for list sections: new; replaced (same id, other content); named and equal; not named, so kept. */
  added: string[];
  replaced: string[];
  unchanged: string[];
  kept: string[];
  /** A single-object section whose stored value this replaces. */
  replacesWhole: boolean;
  /** Things the person applying should know: pods that can never receive an account. */
  warnings: string[];
}

/**
 * Merges `incoming` (a section as a file gives it, already valid for its schema) into `current`
 * (the stack's section, as `GET /v1/config/{section}` answers it). List sections: the incoming
 * entries first, in their order, then the current entries they do not name, in theirs. For
 * pods the order is routing order (the first pod that matches wins), so the pods applied come
 * before a catch-all such as the starter's `default`.
 */
export function mergeSection(section: SectionName, current: unknown, incoming: unknown): SectionPlan {
  const schema = SECTION_SCHEMAS[section];
  const now = parseShown(schema, current);
  const next = parseShown(schema, incoming);
  if (!isListSection(section)) return wholeSectionPlan(section, incoming, !sameValue(now, next), []);
  const key = ENTRY_LISTS[section];
  const nowEntries = (now as Record<string, Entry[]>)[key] ?? [];
  const nextEntries = (next as Record<string, Entry[]>)[key] ?? [];
  const byId = new Map(nowEntries.map((e) => [e.id, e]));
  const named = new Set(nextEntries.map((e) => e.id));
  const added = nextEntries.filter((e) => !byId.has(e.id)).map((e) => e.id);
  const replaced = nextEntries.filter((e) => byId.has(e.id) && !sameValue(byId.get(e.id), e)).map((e) => e.id);
  const unchanged = nextEntries.filter((e) => byId.has(e.id) && sameValue(byId.get(e.id), e)).map((e) => e.id);
  const kept = nowEntries.filter((e) => !named.has(e.id)).map((e) => e.id);
  const merged = [...nextEntries, ...nowEntries.filter((e) => !named.has(e.id))];
  const value = { ...(now as object), [key]: merged };
  return {
    section,
    value,
    // Order is routing order for pods only; any other list merely put in another order is no change.
    changed: section === 'pods' ? !sameValue(now, schema.parse(value)) : added.length + replaced.length > 0,
    added,
    replaced,
    unchanged,
    kept,
    replacesWhole: false,
    warnings: section === 'pods' ? unreachablePods(merged as Pod[]) : [],
  };
}

/** `--replace`: the section exactly as given, as `PUT /v1/config/{section}` itself does (restoring a backup). */
export function replaceSection(section: SectionName, current: unknown, incoming: unknown): SectionPlan {
  const schema = SECTION_SCHEMAS[section];
  const changed = !sameValue(parseShown(schema, current), parseShown(schema, incoming));
  const pods = section === 'pods' ? (SECTION_SCHEMAS.pods.parse(incoming).pods as Pod[]) : [];
  return wholeSectionPlan(section, incoming, changed, unreachablePods(pods));
}

/** A plan that puts the section exactly as given: no entries to tell apart. */
function wholeSectionPlan(section: SectionName, incoming: unknown, changed: boolean, warnings: string[]): SectionPlan {
  return {
    section,
    value: incoming,
    changed,
    added: [],
    replaced: [],
    unchanged: [],
    kept: [],
    replacesWhole: changed,
    warnings,
  };
}

/** A sentence for each pod listed after a pod that takes every account. */
export function unreachablePods(pods: Pod[]): string[] {
  const catchAll = pods.find((p) => matchesEveryAccount(p.match));
  if (!catchAll) return [];
  return pods
    .slice(pods.indexOf(catchAll) + 1)
    .map(
      (p) =>
        `pod ${p.id} comes after pod ${catchAll.id}, which matches every account, so it receives none: list it before ${catchAll.id}`,
    );
}

/** Equal as JSON whatever the order of object keys (a stored section comes back with its keys in any order). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sorted(v)]),
    );
  return value;
}

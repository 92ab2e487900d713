/**
 * Marketing audiences, pure: which audiences an account belongs to, what a member looks like
 * in exports, and the net difference a sync answers from a run of membership changes. No
 * store, no clock, no environment: the pipeline passes everything in.
 */
import type { AudiencesConfig } from '@intent/config';
import { z } from 'zod';

export type Audience = AudiencesConfig['audiences'][number];
export type AudienceFilter = Audience['filter'];

/** Topic stages that count as "in market" for the `topics` filter. */
const IN_MARKET_TOPIC_STAGES = new Set(['surging', 'hand_raiser']);

/** The part of a score snapshot membership depends on (structural, so any snapshot fits). */
export interface ScoredAccount {
  fit: { tier: string };
  intent: { stage: string; topics: { topic: string; stage: string; score?: number }[] };
  priority: number;
  pod?: string;
}

/** The part of an account's feedback hold membership depends on. */
export interface HoldLike {
  outcome?: string;
}

/**
 * True when the account passes every constraint of the filter; an empty list constrains
 * nothing. `topics`: the account must be in market on at least one of them, i.e. that topic's
 * own stage is `surging` or `hand_raiser` (mere reading does not make a topic audience).
 * `pods`: the pod the account routes to (`score.pod`), queued or not. `excludeOutcomes`: the
 * outcome of the account's current feedback hold.
 */
export function matchesFilter(score: ScoredAccount, hold: HoldLike | undefined, filter: AudienceFilter): boolean {
  if (filter.tiers.length && !filter.tiers.includes(score.fit.tier as never)) return false;
  if (filter.stages.length && !filter.stages.includes(score.intent.stage as never)) return false;
  if (filter.topics.length) {
    const inMarket = new Set(score.intent.topics.filter((t) => IN_MARKET_TOPIC_STAGES.has(t.stage)).map((t) => t.topic));
    if (!filter.topics.some((t) => inMarket.has(t))) return false;
  }
  if (filter.pods.length && !(score.pod && filter.pods.includes(score.pod))) return false;
  if (score.priority < filter.minPriority) return false;
  if (filter.excludeOutcomes.length && hold?.outcome && filter.excludeOutcomes.includes(hold.outcome)) return false;
  return true;
}

/** The ids of the audiences the account belongs to, in configuration order. No score: none. */
export function audiencesOf(score: ScoredAccount | undefined, hold: HoldLike | undefined, config: AudiencesConfig): string[] {
  if (!score) return [];
  return config.audiences.filter((a) => matchesFilter(score, hold, a.filter)).map((a) => a.id);
}

/** A member as the members API and the exports show it. */
export const AudienceMember = z.object({
  domain: z.string(),
  name: z.string(),
  tier: z.string(),
  stage: z.string(),
  priority: z.number(),
  /** Top topics, strongest first (at most three, never the no-topic bucket). */
  topics: z.array(z.string()),
  industry: z.string().optional(),
  country: z.string().optional(),
});
export type AudienceMember = z.infer<typeof AudienceMember>;

/** An account's standing in one audience. */
export const MemberState = z.object({
  domain: z.string(),
  member: z.boolean(),
  /**
   * The revision of the audience definitions that decided it (0: before revisions) and the
   * account version it was decided from. Writes are ordered by (rev, ver): a writer holding
   * older definitions, or an older score under the same definitions, never overwrites a newer one.
   */
  rev: z.number(),
  ver: z.number(),
  view: AudienceMember,
});
export type MemberState = z.infer<typeof MemberState>;

const NO_TOPIC = '-';

export function memberOf(
  domain: string,
  firmographics: { name?: string; industry?: string; country?: string } | undefined,
  score: ScoredAccount,
): AudienceMember {
  return {
    domain,
    name: firmographics?.name ?? domain,
    tier: score.fit.tier,
    stage: score.intent.stage,
    priority: score.priority,
    topics: score.intent.topics
      .filter((t) => t.topic !== NO_TOPIC)
      .slice(0, 3)
      .map((t) => t.topic),
    ...(firmographics?.industry ? { industry: firmographics.industry } : {}),
    ...(firmographics?.country ? { country: firmographics.country } : {}),
  };
}

/** True when two member views show the same exported fields. */
export function sameMember(a: AudienceMember, b: AudienceMember): boolean {
  return (
    a.domain === b.domain &&
    a.name === b.name &&
    a.tier === b.tier &&
    a.stage === b.stage &&
    a.priority === b.priority &&
    a.topics.length === b.topics.length &&
    a.topics.every((t, i) => t === b.topics[i]) &&
    a.industry === b.industry &&
    a.country === b.country
  );
}

/** An account's stored standing in one audience, as far as the plan compares it. */
export interface StoredStanding {
  member: boolean;
  view: AudienceMember;
}

/** One write that brings an account's standing in one audience in line with its evaluation. */
export interface StandingChange {
  audienceId: string;
  kind: 'join' | 'leave' | 'refresh';
  member: boolean;
  /** The view to store: the account as it is now, or for a leave the view it had as a member. */
  view: AudienceMember;
}

/**
 * What an account's memberships must become under `config`, from its stored score alone (no
 * re-scoring: a definition never changes fit, intent or priority): the audiences it belongs
 * to (`audiencesOf`), and per audience the one write that makes the stored standing agree: a
 * join, a leave, or a member's exported fields refreshed. An audience it is stored as a
 * member of but that is no longer configured is left. Nothing for what already agrees.
 */
export function planMembership(
  domain: string,
  firmographics: { name?: string; industry?: string; country?: string } | undefined,
  score: ScoredAccount,
  hold: HoldLike | undefined,
  config: AudiencesConfig,
  stored: ReadonlyMap<string, StoredStanding>,
): { audiences: string[]; changes: StandingChange[] } {
  const audiences = audiencesOf(score, hold, config);
  const want = new Set(audiences);
  const view = memberOf(domain, firmographics, score);
  const ids = new Set([...config.audiences.map((a) => a.id), ...[...stored].filter(([, s]) => s.member).map(([id]) => id)]);
  const changes: StandingChange[] = [];
  for (const audienceId of ids) {
    const current = stored.get(audienceId);
    const member = want.has(audienceId);
    if (member && !current?.member) changes.push({ audienceId, kind: 'join', member, view });
    else if (!member && current?.member) changes.push({ audienceId, kind: 'leave', member, view: current.view });
    else if (member && current && !sameMember(current.view, view)) changes.push({ audienceId, kind: 'refresh', member, view });
  }
  return { audiences, changes };
}

/** One logged membership change, in log order. */
export interface MembershipChange {
  domain: string;
  op: 'add' | 'remove';
}

/**
 * The net difference between membership before the first change and after the last: per
 * domain, its state before the run is the opposite of its first change (an `add` means it was
 * out), and its state after is its last change. A domain that left and came back (or joined
 * and left) inside the run is in neither list.
 */
export function netChanges(changes: MembershipChange[]): { added: string[]; removed: string[] } {
  const firstAndLast = new Map<string, { first: MembershipChange['op']; last: MembershipChange['op'] }>();
  for (const c of changes) {
    const seen = firstAndLast.get(c.domain);
    if (seen) seen.last = c.op;
    else firstAndLast.set(c.domain, { first: c.op, last: c.op });
  }
  const added: string[] = [];
  const removed: string[] = [];
  for (const [domain, { first, last }] of firstAndLast) {
    const before = first === 'remove';
    const after = last === 'add';
    if (after && !before) added.push(domain);
    if (before && !after) removed.push(domain);
  }
  return { added: added.sort(), removed: removed.sort() };
}

/** LinkedIn's company list template, in its column order. */
export const LINKEDIN_COLUMNS = [
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
] as const;
export const GENERIC_COLUMNS = ['domain', 'name', 'tier', 'stage', 'priority', 'topics'] as const;

/** LinkedIn matches company lists of this many to `LINKEDIN_MAX` companies. */
export const LINKEDIN_MIN = 300;
export const LINKEDIN_MAX = 300_000;

export type ExportFormat = 'linkedin' | 'generic';

/** The rows of an export, header first; what we do not know stays empty. */
export function exportRows(members: AudienceMember[], format: ExportFormat): string[][] {
  if (format === 'generic') {
    return [
      [...GENERIC_COLUMNS],
      ...members.map((m) => [m.domain, m.name, m.tier, m.stage, String(m.priority), m.topics.join(';')].map(spreadsheetSafe)),
    ];
  }
  return [
    [...LINKEDIN_COLUMNS],
    ...members.map((m) =>
      [m.name, `https://${m.domain}`, m.domain, '', '', m.industry ?? '', '', '', m.country ?? '', ''].map(spreadsheetSafe),
    ),
  ];
}

/**
 * A cell a spreadsheet shows as text: one starting with `=`, `+`, `-`, `@`, tab or carriage
 * return would run as a formula (OWASP CSV injection), so it gets a leading `'`. Company names
 * and industries come from uploads and CRM syncs, which anyone with a form can influence.
 */
export function spreadsheetSafe(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** The warning an export carries when LinkedIn would not match the list, else undefined. */
export function linkedinWarning(size: number): string | undefined {
  if (size >= LINKEDIN_MIN && size <= LINKEDIN_MAX) return undefined;
  return `LinkedIn matches lists of 300 to 300,000 companies; this audience has ${size}`;
}

import { type MemberState, planMembership } from '@intent/audiences';
import { revisionOf } from '@intent/config';
import type { AccountRecord, ScoreSnapshot } from '@intent/qualify';
import type { ServiceDeps } from './service-deps';

export type AudienceMessageType = 'audience.member_added' | 'audience.member_removed';

/** What connectors receive on the audience queue, one per change of membership. */
export interface AudienceMessage {
  type: AudienceMessageType;
  audienceId: string;
  domain: string;
  name: string;
  at: string;
}

/** Where audience messages go: the audience queue in the functions, nowhere when absent. */
export type AudiencePublisher = (messages: AudienceMessage[]) => Promise<void>;

/** What a membership sync did. */
export interface SyncResult {
  /** The messages it published, one per join or leave. */
  messages: AudienceMessage[];
  /**
   * The audiences are materialised for newer definitions than `deps.config` holds: the sync
   * wrote nothing it knew to be out of date; re-read the configuration and sync again.
   */
  behind: boolean;
}

/**
 * Brings the account's stored memberships in line with its evaluation under
 * `deps.config.audiences` (for a fresh score, `score.audiences`), written as account
 * `version` under the definitions' revision: reads its standing in every audience concerned
 * and each audience's definitions revision (one batch read), then writes only what differs: a
 * join or a leave (member item, count, log entry, message), or a member's exported fields.
 * Definitions older than the stored ones write nothing (`behind`); so do newer standings.
 */
export async function syncMembership(
  record: AccountRecord,
  score: ScoreSnapshot,
  version: number,
  deps: ServiceDeps,
): Promise<SyncResult> {
  const rev = revisionOf(deps.config, 'audiences');
  const ids = [
    ...new Set([
      ...deps.config.audiences.audiences.map((a) => a.id),
      ...(score.audiences ?? []),
      ...(record.score?.audiences ?? []),
    ]),
  ];
  if (ids.length === 0) return { messages: [], behind: false };
  const { domain } = record;
  const { states, revisions } = await deps.store.audiences.standing(domain, ids);
  if ([...revisions.values(), ...[...states.values()].map((s) => s.rev)].some((r) => r > rev))
    return { messages: [], behind: true };
  const { changes } = planMembership(domain, record.firmographics, score, record.hold, deps.config.audiences, states);
  const at = deps.now.toISOString();
  const messages: AudienceMessage[] = [];
  for (const change of changes) {
    if (ownsNewer(states.get(change.audienceId), rev, version)) continue; // a newer re-score owns it
    const result = await deps.store.audiences.apply(
      change.audienceId,
      { domain, member: change.member, rev, ver: version, view: change.view },
      at,
    );
    if (result === 'added' || result === 'removed') {
      messages.push({ type: `audience.member_${result}`, audienceId: change.audienceId, domain, name: change.view.name, at });
    }
  }
  if (messages.length && deps.publishAudienceChanges) await deps.publishAudienceChanges(messages);
  // A definition change may have claimed the audiences between the read above and these
  // writes, and read them before they landed: look again, so this writer redoes them.
  const behind = changes.length > 0 && [...(await deps.store.audiences.revisions(ids)).values()].some((r) => r > rev);
  return { messages, behind };
}

/** True when the stored standing was written by newer definitions or, under the same, a newer score. */
export function ownsNewer(state: MemberState | undefined, rev: number, version: number): boolean {
  return state !== undefined && (state.rev > rev || (state.rev === rev && state.ver > version));
}

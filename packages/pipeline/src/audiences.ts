import { type AudienceMember, memberOf, netChanges } from '@intent/audiences';
import type { Config } from '@intent/config';
import type { AccountRecord, ScoreSnapshot, Store } from '@intent/store';
import { canonical } from './canonical';
import { settleLimited } from './concurrency';

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

export interface AudienceDeps {
  store: Store;
  config: Config;
  now: Date;
  publishAudienceChanges?: AudiencePublisher;
}

/**
 * Brings the account's stored memberships in line with `score.audiences`, written by account
 * `version`: reads its standing in every audience concerned (one batch read), then writes only
 * what differs: a join or a leave (member item, count, log entry, message), or a member's
 * exported fields. Answers the messages it published.
 */
export async function syncMembership(
  record: AccountRecord,
  score: ScoreSnapshot,
  version: number,
  deps: AudienceDeps,
): Promise<AudienceMessage[]> {
  const want = new Set(score.audiences ?? []);
  const ids = [...new Set([...deps.config.audiences.audiences.map((a) => a.id), ...want, ...(record.score?.audiences ?? [])])];
  if (ids.length === 0) return [];
  const { domain } = record;
  const states = await deps.store.audiences.states(domain, ids);
  const view = memberOf(domain, record.firmographics, score);
  const at = deps.now.toISOString();
  const messages: AudienceMessage[] = [];
  for (const id of ids) {
    const current = states.get(id);
    if (current && current.ver > version) continue; // a newer re-score owns it
    const member = want.has(id);
    if (!member && !current?.member) continue;
    if (member && current?.member && canonical(current.view) === canonical(view)) continue;
    const result = await deps.store.audiences.apply(
      id,
      { domain, member, ver: version, view: member ? view : (current?.view ?? view) },
      at,
    );
    if (result === 'added' || result === 'removed') {
      messages.push({ type: `audience.member_${result}`, audienceId: id, domain, name: view.name, at });
    }
  }
  if (messages.length && deps.publishAudienceChanges) await deps.publishAudienceChanges(messages);
  return messages;
}

/** A sequence number left unwritten this long was abandoned by a writer that died. */
const ABANDONED_AFTER_MS = 2 * 60_000;

export interface AudienceDelta {
  added: AudienceMember[];
  removed: { domain: string; name: string }[];
  /** The log position the answer reaches. */
  seq: number;
}

/**
 * The net change of an audience since log position `fromSeq`: the log is read up to its first
 * gap (a change numbered but not yet written), so a change is never skipped, and nothing is
 * counted twice because the answer is the difference of two states, not a list of events.
 */
export async function audienceDelta(store: Store, audienceId: string, fromSeq: number, now: Date): Promise<AudienceDelta> {
  const entries = await store.audiences.logAfter(audienceId, fromSeq);
  let seq = fromSeq;
  const run: typeof entries = [];
  for (const entry of entries) {
    if (entry.seq !== seq + 1) {
      // A gap: a writer numbered a change and has not written it yet. Stop before it; if the
      // change after it is old, the writer died: mark the number abandoned for the next sync.
      if (now.getTime() - Date.parse(entry.at) > ABANDONED_AFTER_MS)
        await store.audiences.fillGap(audienceId, seq + 1, now.toISOString());
      break;
    }
    run.push(entry);
    seq = entry.seq;
  }
  // Changes of one account are ordered by the account version that made them.
  const changes = run
    .filter((e) => e.op !== 'none')
    .sort((a, b) => a.ver - b.ver || a.seq - b.seq)
    .map((e) => ({ domain: e.domain, op: e.op as 'add' | 'remove' }));
  const { added, removed } = netChanges(changes);
  const names = new Map(run.map((e) => [e.domain, e.name]));
  const current = await store.audiences.statesIn(audienceId, added);
  return {
    added: added.map(
      (d) => current.get(d)?.view ?? { domain: d, name: names.get(d) ?? d, tier: '', stage: '', priority: 0, topics: [] },
    ),
    removed: removed.map((d) => ({ domain: d, name: names.get(d) ?? d })),
    seq,
  };
}

/**
 * After a change of audience definitions: re-scores every live account and every current
 * member (the stored score carries the audiences, so a changed definition is a changed score),
 * and repairs the memberships of accounts whose score did not change. Writes only differences.
 */
export async function rematerialiseAudiences(
  deps: AudienceDeps,
  rescore: (domain: string) => Promise<{ outcome: 'saved' | 'unchanged' }>,
): Promise<{ accounts: number; failed: number }> {
  const members = await Promise.all(deps.config.audiences.audiences.map((a) => deps.store.audiences.allMembers(a.id)));
  const domains = [...new Set([...(await deps.store.accounts.liveDomains()), ...members.flat().map((m) => m.domain)])];
  const results = await settleLimited(domains, 8, async (domain) => {
    const { outcome } = await rescore(domain);
    if (outcome === 'saved') return;
    const record = await deps.store.accounts.get(domain, true);
    if (record?.score) await syncMembership(record, record.score, record.version, deps);
  });
  return { accounts: domains.length, failed: results.filter((r) => r.status === 'rejected').length };
}

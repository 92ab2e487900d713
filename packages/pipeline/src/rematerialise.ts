import { planMembership } from '@intent/audiences';
import { revisionOf } from '@intent/config';
import type { AudienceInputs, LogChange, MemberState } from '@intent/store';
import { type AudienceDeps, type AudienceMessage, ownsNewer } from './audiences';
import { settleLimited } from './concurrency';

/** Accounts whose writes are in flight at once: enough to hide DynamoDB's latency in Lambda. */
const CONCURRENCY = 32;
/** Logged changes per audience gathered before one block of log numbers is reserved for them. */
const LOG_BLOCK = 500;
/** Times an account is read again after a re-score moved it under the evaluation. */
const MAX_ATTEMPTS = 4;

export interface RematerialiseDeps extends AudienceDeps {
  /** The current time, read when a block of log numbers is reserved and against the deadline. */
  clock: () => Date;
  /**
   * When to stop starting accounts (epoch ms): the work begun is finished and logged, the rest
   * is left for `finishRematerialisation` (the outcome is not `complete`).
   */
  deadline?: number;
}

export interface RematerialiseOutcome {
  /** Scored accounts evaluated. */
  accounts: number;
  joined: number;
  left: number;
  /** Members whose exported fields were rewritten. */
  refreshed: number;
  /** Accounts whose writes failed. */
  failed: number;
  /** Accounts left for later: the deadline came first. */
  deferred: number;
  /** Every account was evaluated and written: the audiences are materialised for these definitions. */
  complete: boolean;
  /** Newer definitions were already being materialised: nothing was done. */
  superseded: boolean;
}

/**
 * After a change of audience definitions (`deps.config`, its revision included): evaluates the
 * new definitions on every scored account's stored score and writes only the differences,
 * re-scoring nothing. In order:
 * 1. claims each audience for the new revision, so a re-score still holding older definitions
 *    finds out (`syncMembership` answers `behind`) and redoes its membership;
 * 2. reads every scored account, live or cold (keys from gsi2, then consistent batch reads of
 *    only what membership depends on), and every stored standing of each audience;
 * 3. per account: the plan (`planMembership`); if its audiences changed, sets them on the score
 *    if the account is still at the version read (else reads it again); then one conditional
 *    write per join, leave or refreshed member, ordered by (revision, version);
 * 4. logs the joins and leaves in blocks (one counter update and a few batch writes per block)
 *    and publishes one message per join or leave;
 * 5. once every account is done, records the audiences as materialised for the revision.
 * Idempotent: running it again for the same definitions writes nothing that already agrees.
 */
export async function rematerialiseAudiences(deps: RematerialiseDeps): Promise<RematerialiseOutcome> {
  const { store, config } = deps;
  const rev = revisionOf(config, 'audiences');
  const outcome: RematerialiseOutcome = {
    accounts: 0,
    joined: 0,
    left: 0,
    refreshed: 0,
    failed: 0,
    deferred: 0,
    complete: false,
    superseded: false,
  };
  const configured = config.audiences.audiences.map((a) => a.id);
  if (!(await claim(configured))) return { ...outcome, superseded: true };

  const [domains, configuredStandings] = await Promise.all([
    store.accounts.scoredDomains(),
    Promise.all(configured.map((id) => store.audiences.standings(id))),
  ]);
  const standings = new Map(configured.map((id, i) => [id, configuredStandings[i] as Map<string, MemberState>]));
  // Members the index does not list (scored before it held cold accounts) are evaluated too.
  const listed = new Set(domains);
  const unlisted = new Set(
    [...standings.values()].flatMap((byDomain) =>
      [...byDomain.values()].filter((m) => m.member && !listed.has(m.domain)).map((m) => m.domain),
    ),
  );
  const accounts = await store.accounts.audienceInputs([...domains, ...unlisted]);
  outcome.accounts = accounts.length;
  // Audiences no longer configured that accounts still belong to: their members leave.
  const dropped = [...new Set(accounts.flatMap((a) => a.score.audiences ?? []))].filter((id) => !standings.has(id));
  if (dropped.length) {
    if (!(await claim(dropped))) return { ...outcome, superseded: true };
    const read = await Promise.all(dropped.map((id) => store.audiences.standings(id)));
    for (const [i, id] of dropped.entries()) standings.set(id, read[i] as Map<string, MemberState>);
  }
  const ids = [...standings.keys()];
  const logs = new LogBlocks(deps);

  const settle = async (first: AudienceInputs) => {
    if (deps.deadline !== undefined && deps.clock().getTime() > deps.deadline) {
      outcome.deferred++;
      return;
    }
    let account: AudienceInputs | undefined = first;
    let states = new Map<string, MemberState>();
    for (const [id, byDomain] of standings) {
      const state = byDomain.get(first.domain);
      if (state) states.set(id, state);
    }
    for (let attempt = 0; account && attempt < MAX_ATTEMPTS; attempt++) {
      const { domain, version } = account;
      const plan = planMembership(domain, account.firmographics, account.score, account.hold, config.audiences, states);
      if (!sameList(plan.audiences, account.score.audiences ?? [])) {
        if ((await store.accounts.setAudiences(domain, plan.audiences, version)) === 'conflict') {
          // A re-score saved a newer score since the read: evaluate that one.
          [account] = await store.accounts.audienceInputs([domain]);
          states = (await store.audiences.standing(domain, ids)).states;
          continue;
        }
      }
      for (const change of plan.changes) {
        if (ownsNewer(states.get(change.audienceId), rev, version)) continue;
        const result = await store.audiences.setStanding(
          change.audienceId,
          { domain, member: change.member, rev, ver: version, view: change.view },
          deps.now.toISOString(),
        );
        if (result === 'updated' && change.kind === 'refresh') outcome.refreshed++;
        if (result === 'added' || result === 'removed') {
          if (result === 'added') outcome.joined++;
          else outcome.left++;
          logs.add(change.audienceId, {
            domain,
            name: change.view.name,
            op: result === 'added' ? 'add' : 'remove',
            rev,
            ver: version,
          });
        }
      }
      return;
    }
    if (account) throw new Error(`audiences of ${account.domain}: kept conflicting with re-scores`);
  };
  const results = await settleLimited(accounts, CONCURRENCY, settle);
  outcome.failed = results.filter((r) => r.status === 'rejected').length;
  await logs.flushAll();
  outcome.complete = outcome.failed === 0 && outcome.deferred === 0;
  if (outcome.complete) await Promise.all(ids.map((id) => store.audiences.markMaterialised(id, rev)));
  return outcome;

  async function claim(audienceIds: string[]): Promise<boolean> {
    return (await Promise.all(audienceIds.map((id) => store.audiences.claimRevision(id, rev)))).every(Boolean);
  }
}

/**
 * Finishes a re-materialisation a definition change left incomplete (its request ran out of
 * time, or writes failed): runs it again for the current definitions if any audience is not
 * recorded as materialised for them. What the hourly schedule calls; one batch read otherwise.
 */
export async function finishRematerialisation(deps: RematerialiseDeps): Promise<RematerialiseOutcome | undefined> {
  const rev = revisionOf(deps.config, 'audiences');
  const ids = deps.config.audiences.audiences.map((a) => a.id);
  if (ids.length === 0) return undefined;
  const done = await deps.store.audiences.materialised(ids);
  if (ids.every((id) => (done.get(id) ?? 0) >= rev)) return undefined;
  return rematerialiseAudiences(deps);
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The joins and leaves of a re-materialisation, per audience, logged in blocks of `LOG_BLOCK`
 * as they accumulate (so a failure part-way leaves at most one block per audience unlogged)
 * and published once logged.
 */
class LogBlocks {
  private readonly pending = new Map<string, LogChange[]>();
  private readonly writes: Promise<unknown>[] = [];

  constructor(private readonly deps: RematerialiseDeps) {}

  add(audienceId: string, change: LogChange): void {
    const list = this.pending.get(audienceId) ?? [];
    list.push(change);
    this.pending.set(audienceId, list);
    if (list.length >= LOG_BLOCK) this.flush(audienceId);
  }

  async flushAll(): Promise<void> {
    for (const audienceId of [...this.pending.keys()]) this.flush(audienceId);
    const failed = (await Promise.allSettled(this.writes)).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  private flush(audienceId: string): void {
    const changes = this.pending.get(audienceId) ?? [];
    this.pending.delete(audienceId);
    if (changes.length === 0) return;
    const sizeDelta = changes.reduce((n, c) => n + (c.op === 'add' ? 1 : -1), 0);
    const write = async () => {
      const at = await this.deps.store.audiences.appendLogBlock(audienceId, changes, sizeDelta, this.deps.clock);
      const messages: AudienceMessage[] = changes.map((c) => ({
        type: c.op === 'add' ? 'audience.member_added' : 'audience.member_removed',
        audienceId,
        domain: c.domain,
        name: c.name,
        at,
      }));
      if (this.deps.publishAudienceChanges) await this.deps.publishAudienceChanges(messages);
    };
    // Settled (and a failure rethrown) by `flushAll`; caught here so it is never unhandled meanwhile.
    const written = write();
    written.catch(() => undefined);
    this.writes.push(written);
  }
}

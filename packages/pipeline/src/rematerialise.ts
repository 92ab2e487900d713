import { type MemberState, planMembership } from '@intent/audiences';
import { type Config, revisionOf } from '@intent/config';
import {
  type AudienceInputs,
  forEachLimited,
  type JobRecord,
  scoredShards,
  type WalkPosition,
  type WalkShard,
} from '@intent/store';
import { LogBlocks } from './audience-log-blocks';
import { ownsNewer } from './audiences';
import { ConflictRetriesExhausted, conflictBackoff } from './errors';
import { isActive, isStalled, type JobDeps, startJob, type Walker } from './jobs';
import type { ServiceDeps } from './service-deps';
import { Budget, startWhile, type Walked, walkShard } from './walk';

/** Accounts whose writes are in flight at once: enough to hide DynamoDB's latency in Lambda. */
const CONCURRENCY = 32;
/** Shards a walk done in one go works on at once. */
const SHARDS_AT_ONCE = 4;
/** Times an account is read again after a re-score moved it under the evaluation. */
const MAX_ATTEMPTS = 4;

export interface RematerialiseDeps extends ServiceDeps {
  /** The current time, read when a block of log numbers is reserved. */
  clock: () => Date;
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
  /** Every account was evaluated and written: the audiences are materialised for these definitions. */
  complete: boolean;
  /** Newer definitions were already being materialised: nothing (more) was done. */
  superseded: boolean;
}

/** Newer definitions claimed an audience this walk needs: the walk stops, the newer one covers it. */
class Superseded extends Error {}

/**
 * What a re-materialisation walks: every shard of the scored-accounts index (live and cold),
 * then each configured audience's members, for those the index does not list (accounts scored
 * before it held cold ones).
 */
function shardsFor(configured: string[]): WalkShard[] {
  return [...scoredShards(['live', 'cold']), ...configured.map((audience) => ({ audience }))];
}

/**
 * The evaluation of one definitions revision (`deps.config`) over some shards: what a job's step
 * and the walk in one go share. Per page of accounts: their membership inputs (consistent batch
 * reads of only what membership depends on) and their stored standings in the audiences
 * concerned; per account, the plan (`planMembership`); if its audiences changed, sets them on
 * the score if the account is still at the version read (else reads it again); then one
 * conditional write per join, leave or refreshed member, ordered by (revision, version). Joins
 * and leaves are logged in blocks and published once logged (`flush`).
 */
class Rematerialisation {
  readonly counts = { accounts: 0, joined: 0, left: 0, refreshed: 0, failed: 0 };
  private readonly rev: number;
  private readonly configured: string[];
  private readonly claimed = new Set<string>();
  private readonly logs: LogBlocks;

  constructor(private readonly deps: RematerialiseDeps) {
    this.rev = revisionOf(deps.config, 'audiences');
    this.configured = deps.config.audiences.audiences.map((a) => a.id);
    for (const id of this.configured) this.claimed.add(id);
    this.logs = new LogBlocks(deps);
  }

  /** Walks one shard from `pos` while `budget` allows. */
  async walk(shard: WalkShard, pos: WalkPosition | undefined, budget: Budget): Promise<Walked | 'superseded'> {
    const { store } = this.deps;
    // An audience's member shard finds the members the index does not list; the index lists the rest.
    const unlistedOnly = 'audience' in shard;
    try {
      return await walkShard(store, shard, pos, budget, async (domains) => {
        const accounts = new Map((await store.accounts.audienceInputs(domains)).map((a) => [a.domain, a]));
        // Audiences no longer configured that accounts still belong to: their members leave.
        const listed = [...accounts.values()].flatMap((a) => a.score.audiences ?? []);
        const dropped = [...new Set(listed)].filter((id) => !this.configured.includes(id));
        await this.claim(dropped);
        const ids = [...this.configured, ...dropped];
        const states = await store.audiences.statesFor(domains, ids);
        return startWhile(domains, CONCURRENCY, budget, async (domain) => {
          const account = accounts.get(domain);
          if (!account || (unlistedOnly && account.indexed)) return;
          this.counts.accounts++;
          try {
            await this.settle(account, states.get(domain) ?? new Map(), ids);
          } catch {
            this.counts.failed++;
          }
        });
      });
    } catch (err) {
      if (err instanceof Superseded) return 'superseded';
      throw err;
    }
  }

  /** Logs and publishes the joins and leaves still gathered; throws if a block could not be logged. */
  flush(): Promise<void> {
    return this.logs.flushAll();
  }

  /** Records the configured audiences as fully materialised for this revision. */
  async markMaterialised(): Promise<void> {
    await Promise.all(this.configured.map((id) => this.deps.store.audiences.markMaterialised(id, this.rev)));
  }

  /** Claims audiences for this revision (once per walk each); newer ones claimed: `Superseded`. */
  private async claim(audienceIds: string[]): Promise<void> {
    const fresh = audienceIds.filter((id) => !this.claimed.has(id));
    if (!(await claimAll(this.deps, fresh, this.rev))) throw new Superseded();
    for (const id of fresh) this.claimed.add(id);
  }

  private async settle(first: AudienceInputs, initial: Map<string, MemberState>, ids: string[]): Promise<void> {
    const { store, config } = this.deps;
    let account: AudienceInputs | undefined = first;
    let states = initial;
    for (let attempt = 0; account && attempt < MAX_ATTEMPTS; attempt++) {
      const { domain, version } = account;
      const plan = planMembership(domain, account.firmographics, account.score, account.hold, config.audiences, states);
      if (!sameList(plan.audiences, account.score.audiences ?? [])) {
        if ((await store.accounts.setAudiences(domain, plan.audiences, version)) === 'conflict') {
          // A re-score saved a newer score since the read: evaluate that one.
          await conflictBackoff(attempt + 1);
          [account] = await store.accounts.audienceInputs([domain]);
          states = (await store.audiences.standing(domain, ids)).states;
          continue;
        }
      }
      for (const change of plan.changes) {
        if (ownsNewer(states.get(change.audienceId), this.rev, version)) continue;
        const result = await store.audiences.setStanding(
          change.audienceId,
          { domain, member: change.member, rev: this.rev, ver: version, view: change.view },
          this.deps.now.toISOString(),
        );
        if (result === 'updated' && change.kind === 'refresh') this.counts.refreshed++;
        if (result === 'added' || result === 'removed') {
          if (result === 'added') this.counts.joined++;
          else this.counts.left++;
          this.logs.add(change.audienceId, {
            domain,
            name: change.view.name,
            op: result === 'added' ? 'add' : 'remove',
            rev: this.rev,
            ver: version,
          });
        }
      }
      return;
    }
    if (account) throw new ConflictRetriesExhausted('audiences', account.domain, MAX_ATTEMPTS);
  }
}

/** Claims each audience for revision `rev`, unless a newer revision already is: false then. */
async function claimAll(deps: ServiceDeps, audienceIds: string[], rev: number): Promise<boolean> {
  return (await Promise.all(audienceIds.map((id) => deps.store.audiences.claimRevision(id, rev)))).every(Boolean);
}

/**
 * After a change of audience definitions (`deps.config`, its revision included): evaluates the
 * new definitions on every scored account's stored score and writes only the differences,
 * re-scoring nothing, in one go (no time budget; what tools and tests use, the API starts a job
 * instead: `startRematerialisation`). In order:
 * 1. claims each audience for the new revision, so a re-score still holding older definitions
 *    finds out (`syncMembership` answers `behind`) and redoes its membership;
 * 2. walks every shard (`Rematerialisation`);
 * 3. once every account is done without failure, records the audiences as materialised.
 * Idempotent: running it again for the same definitions writes nothing that already agrees.
 */
export async function rematerialiseAudiences(deps: RematerialiseDeps): Promise<RematerialiseOutcome> {
  const run = new Rematerialisation(deps);
  const outcome = (superseded: boolean) => ({ ...run.counts, complete: !superseded && run.counts.failed === 0, superseded });
  const configured = deps.config.audiences.audiences.map((a) => a.id);
  if (!(await claimAll(deps, configured, revisionOf(deps.config, 'audiences')))) return outcome(true);
  let superseded = false;
  try {
    // A few shards at once, as the job's steps run (the jobs consumer's concurrency).
    await forEachLimited(shardsFor(configured), SHARDS_AT_ONCE, async (shard) => {
      if (!superseded && (await run.walk(shard, undefined, Budget.unlimited(deps.clock))) === 'superseded') superseded = true;
    });
  } finally {
    await run.flush();
  }
  if (superseded) return outcome(true);
  if (run.counts.failed === 0) await run.markMaterialised();
  return outcome(false);
}

/**
 * The job that re-materialises audiences after a definition change: claims each audience for
 * the new revision first (so re-scores holding older definitions find out at once), then starts
 * a job over every shard. Answers `superseded` when newer definitions were claimed already.
 */
export async function startRematerialisation(
  deps: JobDeps,
  config: Config,
): Promise<{ job: JobRecord; superseded?: undefined } | { job?: undefined; superseded: true }> {
  const rev = revisionOf(config, 'audiences');
  const configured = config.audiences.audiences.map((a) => a.id);
  if (!(await claimAll({ ...deps, config, now: deps.clock() }, configured, rev))) return { superseded: true };
  const job = await startJob(deps, {
    kind: 'rematerialise',
    trigger: { section: 'audiences', revision: rev },
    shards: shardsFor(configured),
  });
  return { job };
}

/**
 * The schedule's safety net: if the audiences are not recorded as materialised for the current
 * definitions and no job for them is moving (its messages went to the DLQ, or accounts failed),
 * starts one. One batch read and one job read otherwise.
 */
export async function resumeRematerialisation(deps: JobDeps): Promise<JobRecord | undefined> {
  const config = await deps.store.config.getAll(true);
  const rev = revisionOf(config, 'audiences');
  const ids = config.audiences.audiences.map((a) => a.id);
  if (ids.length === 0) return undefined;
  const done = await deps.store.audiences.materialised(ids);
  if (ids.every((id) => (done.get(id) ?? 0) >= rev)) return undefined;
  const latest = await deps.store.jobs.latest('rematerialise');
  if (latest && isActive(latest) && latest.trigger.revision === rev && !isStalled(latest, deps.clock())) return undefined;
  return (await startRematerialisation(deps, config)).job;
}

/**
 * The job's walker: each step reads the definitions as stored now (a newer revision supersedes
 * the job), walks its shard within its budget, and logs what it changed before committing.
 * Once every shard is walked without a failed account, the audiences are recorded as
 * materialised; after failures the schedule's `resumeRematerialisation` starts another job.
 */
export const rematerialiseWalker: Walker = {
  counters: ['accounts', 'joined', 'left', 'refreshed', 'failed'],
  async step(job, shard, pos, budget, deps) {
    const config = await deps.store.config.getAll(true);
    if (revisionOf(config, 'audiences') !== job.trigger.revision) return 'superseded';
    const run = new Rematerialisation({ ...deps, config, now: deps.clock() });
    let walked: Walked | 'superseded';
    try {
      walked = await run.walk(shard, pos, budget);
    } finally {
      await run.flush();
    }
    return walked === 'superseded' ? 'superseded' : { ...walked, counts: run.counts };
  },
  async finish(job, deps) {
    if ((job.counts.failed ?? 0) > 0) return;
    const revision = job.trigger.revision ?? 0;
    const ids = job.shards.flatMap((s) => ('audience' in s ? [s.audience] : []));
    await Promise.all(ids.map((id) => deps.store.audiences.markMaterialised(id, revision)));
  },
};

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

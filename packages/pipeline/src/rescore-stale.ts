import { type JobRecord, scoredShards } from '@intent/store';
import { FIRST_STEPS_NOT_QUEUED, isActive, isStalled, type JobDeps, startJob, type Walker } from './jobs';
import type { PodMessage } from './pod-messages';
import { rescoreAccount } from './rescore';
import type { ServiceDeps } from './service-deps';
import { startWhile, walkShard } from './walk';

/** Accounts re-scored at once within a step: enough to hide DynamoDB's latency. */
const CONCURRENCY = 8;

/**
 * One step of a re-scoring walk over a shard of the scored-accounts index: each hundred's
 * records read together (consistently), then each account re-scored with the configuration as
 * stored now, saved only if it changed. A failed account is counted and left to the next decay
 * walk; the others' pod messages go out before the step commits.
 */
const rescoreStep: Walker['step'] = async (_job, shard, pos, budget, deps) => {
  const config = await deps.store.config.getAll(true);
  const rescoreDeps: ServiceDeps = {
    store: deps.store,
    config,
    now: deps.clock(),
    publishAudienceChanges: deps.publishAudienceChanges,
  };
  const counts = { accounts: 0, saved: 0, failed: 0 };
  const messages: PodMessage[] = [];
  const walked = await walkShard(deps.store, shard, pos, budget, async (domains) => {
    // A failed batch read leaves each re-score to read its own record.
    const records = await deps.store.accounts.getMany(domains, true).catch(() => undefined);
    return startWhile(domains, CONCURRENCY, budget, async (domain) => {
      counts.accounts++;
      try {
        const result = await rescoreAccount(domain, rescoreDeps, records ? (records.get(domain) ?? null) : undefined);
        messages.push(...result.messages);
        if (result.outcome === 'saved') counts.saved++;
      } catch {
        counts.failed++;
      }
    });
  });
  await deps.publishPodMessages(messages);
  return { ...walked, counts };
};

/** The hourly decay walk: every live account (the live half of the scored-accounts index). */
export const decayWalker: Walker = { counters: ['accounts', 'saved', 'failed'], step: rescoreStep };
/** After a change of a section that scores depend on: every scored account, live or cold. */
export const rescoreWalker: Walker = { counters: ['accounts', 'saved', 'failed'], step: rescoreStep };

/**
 * Starts the hourly decay walk as a job, unless the previous one is still moving: a walk that
 * takes longer than an hour then finishes instead of starting over every hour.
 */
export async function startDecayWalk(deps: JobDeps): Promise<{ job: JobRecord; started: boolean }> {
  const latest = await deps.store.jobs.latest('decay');
  if (latest && isActive(latest) && !isStalled(latest, deps.clock())) return { job: latest, started: false };
  return { job: await startJob(deps, { kind: 'decay', shards: scoredShards(['live']) }), started: true };
}

/**
 * Starts the re-score that a change of configuration section `section` (now at `revision`)
 * needs: every scored account, cold ones included (fit, pod and windows may move them). A newer
 * change's job supersedes this one: each step reads the configuration as stored when it runs.
 */
export function startRescore(deps: JobDeps, section: string, revision: number): Promise<JobRecord> {
  return startJob(deps, { kind: 'rescore', trigger: { section, revision }, shards: scoredShards(['live', 'cold']) });
}

/**
 * The schedule's safety net for configuration re-scores: a job that stopped moving while active
 * (a step's message lost between two deliveries), or that failed before any step ran (its first
 * steps could not be queued: the change's request answered it as deferred), is started again
 * for the same change. A job that failed in its steps is left for a person to see
 * (`GET /v1/jobs`); the decay walk still covers its live accounts.
 */
export async function resumeStalledRescore(deps: JobDeps): Promise<JobRecord | undefined> {
  const latest = await deps.store.jobs.latest('rescore');
  if (!latest) return undefined;
  const neverRan = latest.status === 'failed' && latest.error?.startsWith(FIRST_STEPS_NOT_QUEUED);
  if (!neverRan && (!isActive(latest) || !isStalled(latest, deps.clock()))) return undefined;
  return startRescore(deps, latest.trigger.section ?? 'signals', latest.trigger.revision ?? 0);
}

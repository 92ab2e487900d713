import type { Config, SectionName } from '@intent/config';
import { revisionOf } from '@intent/config';
import type { JobRecord } from '@intent/store';
import { describeJob, type JobDeps, type JobMessage, runJobStep, type StepDeps, type StepOutcome, type Walkers } from './jobs';
import { rematerialiseWalker, startRematerialisation } from './rematerialise';
import { decayWalker, rescoreWalker, startRescore } from './rescore-stale';

/** How each kind of job walks its shards. */
const WALKERS: Walkers = { decay: decayWalker, rescore: rescoreWalker, rematerialise: rematerialiseWalker };

/** Runs one message of the jobs queue (see `runJobStep`). */
export function runStep(deps: StepDeps, message: JobMessage, deadline: number): Promise<StepOutcome> {
  return runJobStep(deps, WALKERS, message, deadline);
}

/** A job as the API shows it. */
export const jobView = (job: JobRecord) => describeJob(job, WALKERS);

/** Sections whose change can move a score; `sites` moves none, `audiences` only membership. */
const SCORING_SECTIONS = new Set<SectionName>(['topics', 'signals', 'icp', 'pods', 'sla']);

/** The job a stored configuration change starts, as the `PUT` answers it (absent: none needed). */
export type ConfigChangeJob =
  | { rescore: { job: string; status: JobRecord['status'] } | DeferredWork }
  | { rematerialise: { job?: string; status: JobRecord['status'] } | DeferredWork }
  | Record<string, never>;

/** Work a stored change needs that could not be started within its request: the schedule's now. */
export interface DeferredWork {
  status: 'deferred';
  message: string;
}

/**
 * What a change of `section` (already stored; `config` holds it and its revision) sets going:
 * a re-score of every scored account for a section scores depend on, a re-materialisation of
 * the audiences for their definitions, nothing for sites. The work runs as a job; the answer
 * names it for `GET /v1/jobs/{id}`.
 */
export async function afterConfigChange(deps: JobDeps, section: SectionName, config: Config): Promise<ConfigChangeJob> {
  try {
    return await startConfigChangeJob(deps, section, config);
  } catch (err) {
    // The change is stored: a 500 would tell the caller it was not. Say what is left, and to whom.
    const deferred = (work: string): DeferredWork => ({
      status: 'deferred',
      message: `the change is stored, but its ${work} could not be started now (${(err as Error).message}); the hourly schedule starts it`,
    });
    if (SCORING_SECTIONS.has(section)) return { rescore: deferred('re-score') };
    return { rematerialise: deferred('audience re-materialisation') };
  }
}

async function startConfigChangeJob(deps: JobDeps, section: SectionName, config: Config): Promise<ConfigChangeJob> {
  if (SCORING_SECTIONS.has(section)) {
    const job = await startRescore(deps, section, revisionOf(config, section));
    return { rescore: { job: job.id, status: job.status } };
  }
  if (section === 'audiences') {
    const started = await startRematerialisation(deps, config);
    // Newer definitions were stored meanwhile: their own job does the work.
    if (started.superseded) return { rematerialise: { status: 'superseded' } };
    return { rematerialise: { job: started.job.id, status: started.job.status } };
  }
  return {};
}

import { randomUUID } from 'node:crypto';
import type { JobKind, JobRecord, Store, WalkPosition, WalkShard } from '@intent/store';
import { z } from 'zod';
import type { AudiencePublisher } from './audiences';
import type { PodMessage } from './pod-messages';
import { Budget, type Walked } from './walk';

/**
 * Resumable jobs: walks over many accounts (the decay walk, the re-score after a configuration
 * change, an audience re-materialisation) cut into steps that each fit well inside a function's
 * time. A job is one item (its shards, each shard's step and position, counters, status) and
 * one message per shard on the jobs queue; a step works until its budget is spent, commits
 * where it stopped with one conditional update, then sends the shard's next step.
 * Design notes: docs/jobs.md.
 */

/** One step of one shard of a job: what the jobs queue carries. */
export const JobMessage = z.object({
  v: z.literal(1),
  job: z.string().min(1).max(64),
  shard: z.number().int().min(0).max(1000),
  step: z.number().int().min(0),
  /** Where the step starts; absent: at the beginning of the shard. */
  pos: z.record(z.string(), z.string()).optional(),
});
export type JobMessage = z.infer<typeof JobMessage>;

/** Sends job messages (bodies) to the jobs queue; throws if any could not be sent. */
export type JobSender = (bodies: string[]) => Promise<void>;

export interface JobDeps {
  store: Store;
  clock: () => Date;
  sendJobMessages: JobSender;
}

/** What a step needs besides the job: where its side effects go. */
export interface StepDeps extends JobDeps {
  /** Sends the pod messages the step's re-scores saved, and takes them off their outboxes (`podMessageOutbox`). */
  publishPodMessages: (messages: PodMessage[]) => Promise<void>;
  publishAudienceChanges?: AudiencePublisher;
}

export interface StepResult extends Walked {
  counts: Record<string, number>;
}

/** How one kind of job walks a shard, and what it does once every shard is walked. */
export interface Walker {
  /** Counters every job of the kind reports, zero until a step adds to them. */
  counters: string[];
  /**
   * One step: walks `shard` from `pos` while `budget` allows (at least one account). Answers
   * `superseded` when newer work covers the job (it then ends without committing the step).
   */
  step(
    job: JobRecord,
    shard: WalkShard,
    pos: WalkPosition | undefined,
    budget: Budget,
    deps: StepDeps,
  ): Promise<StepResult | 'superseded'>;
  /** After the last shard's last step; idempotent (a redelivered last step may run it again). */
  finish?(job: JobRecord, deps: StepDeps): Promise<void>;
}

/** How each kind of job walks (`job-kinds.ts` lists them). */
export type Walkers = Record<JobKind, Walker>;

/**
 * A step's lease outlasts its deadline by this much: the time a step takes after its deadline
 * to finish the accounts begun, commit and send (the function keeps at least this much back).
 */
export const LEASE_MARGIN_MS = 60_000;

/** A job that has not moved for this long while active is taken as stalled: a new one may replace it. */
const STALLED_AFTER_MS = 2 * 3600_000;

export const isActive = (job: JobRecord) => job.status === 'queued' || job.status === 'running';
export const isStalled = (job: JobRecord, now: Date) => now.getTime() - Date.parse(job.updatedAt) > STALLED_AFTER_MS;

/** How a job whose steps never started says so in its `error`: no step ran, so starting it again is safe. */
export const FIRST_STEPS_NOT_QUEUED = 'its first steps could not be queued';

/**
 * Starts a job: stores it, records it as the latest of its kind (the one it replaces, if still
 * active, is superseded: the new job covers its work), and sends each shard's first step.
 */
export async function startJob(
  deps: JobDeps,
  spec: { kind: JobKind; trigger?: JobRecord['trigger']; shards: WalkShard[] },
): Promise<JobRecord> {
  const { store } = deps;
  const at = deps.clock();
  const job = await store.jobs.create(
    { id: randomUUID(), kind: spec.kind, trigger: spec.trigger ?? {}, shards: spec.shards },
    at,
  );
  const previous = await store.jobs.replaceLatest(spec.kind, job.id);
  if (previous && previous !== job.id) await store.jobs.supersede(previous, at);
  if (spec.shards.length === 0) {
    await store.jobs.finish(job.id, 0, at);
    return { ...job, status: 'done', finishedAt: at.toISOString() };
  }
  try {
    await deps.sendJobMessages(spec.shards.map((_, shard) => body({ v: 1, job: job.id, shard, step: 0 })));
  } catch (err) {
    await store.jobs.fail(job.id, `${FIRST_STEPS_NOT_QUEUED}: ${(err as Error).message}`, deps.clock());
    throw err;
  }
  return job;
}

/** What became of one message. */
export type StepOutcome =
  /** Worked, committed, and sent the shard's next step. */
  | 'continued'
  /** Worked and committed the shard's last step. */
  | 'shard-done'
  /** Sent again the next step of a shard whose commit went through but whose send did not. */
  | 'resent'
  /** A delivery of a step already committed (or of a job that ended): nothing done. */
  | 'duplicate'
  /** Another delivery of the same step holds its lease and is working on it: nothing done. */
  | 'busy'
  /** Newer work covers the job: it is ended as superseded. */
  | 'superseded'
  /** No such job or shard (it expired, or the message was not ours). */
  | 'unknown';

/**
 * Runs one message: a step of one shard of a job, until `deadline` (epoch ms; at least one
 * account). Only the delivery holding the shard's current step commits it, so a message
 * delivered twice is worked once for counting and continued once. Throws when the step
 * failed as a whole: the message is then retried by the queue.
 */
export async function runJobStep(deps: StepDeps, walkers: Walkers, message: JobMessage, deadline: number): Promise<StepOutcome> {
  const { store } = deps;
  const job = await store.jobs.get(message.job);
  const state = job?.states[message.shard];
  const shard = job?.shards[message.shard];
  if (!job || !state || !shard) return 'unknown';
  if (!isActive(job)) return 'duplicate';
  if (state.step !== message.step || state.done) {
    // The step was committed. If its next step's message was never sent (the send failed after
    // the commit), this redelivery sends it; a finish that failed after the last commit is retried.
    if (!state.done && state.step === message.step + 1 && state.sent < state.step) {
      await continueShard(deps, job.id, message.shard, state.step, state.pos);
      return 'resent';
    }
    if (job.shardsDone >= job.shards.length) await finishJob(deps, walkers[job.kind], job);
    return 'duplicate';
  }
  // One delivery at a time works a step: a twin delivered meanwhile leaves it to the holder.
  const now = deps.clock();
  const until = Math.max(deadline, now.getTime()) + LEASE_MARGIN_MS;
  const owner = randomUUID();
  if (!(await store.jobs.leaseStep(job.id, message.shard, message.step, owner, until, now))) return 'busy';
  const walker = walkers[job.kind];
  let result: StepResult | 'superseded';
  try {
    result = await walker.step(job, shard, message.pos, new Budget(deadline, deps.clock), deps);
  } catch (err) {
    // The queue delivers the message again: leave the step free for that delivery.
    await store.jobs.releaseStep(job.id, message.shard, message.step, owner).catch(() => undefined);
    throw err;
  }
  if (result === 'superseded') {
    await store.jobs.supersede(job.id, deps.clock());
    return 'superseded';
  }
  const next = { pos: result.next, done: result.done };
  const after = await store.jobs.commitStep(job.id, message.shard, message.step, next, result.counts, deps.clock());
  if (!after) return 'duplicate';
  if (!result.done) {
    await continueShard(deps, job.id, message.shard, message.step + 1, result.next);
    return 'continued';
  }
  if (after.shardsDone >= after.shards.length) await finishJob(deps, walker, after);
  return 'shard-done';
}

async function continueShard(deps: JobDeps, id: string, shard: number, step: number, pos: WalkPosition | undefined) {
  await deps.sendJobMessages([body({ v: 1, job: id, shard, step, ...(pos ? { pos } : {}) })]);
  await deps.store.jobs.markSent(id, shard, step);
}

async function finishJob(deps: StepDeps, walker: Walker, job: JobRecord): Promise<void> {
  await walker.finish?.(job, deps);
  await deps.store.jobs.finish(job.id, job.shards.length, deps.clock());
}

const body = (message: JobMessage) => JSON.stringify(message);

/** A job as `GET /v1/jobs/{id}` shows it. */
export function describeJob(job: JobRecord, walkers: Walkers) {
  const counters = walkers[job.kind]?.counters ?? [];
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    trigger: job.trigger,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
    shards: { total: job.shards.length, done: job.shardsDone },
    steps: job.steps,
    progress: { ...Object.fromEntries(counters.map((c) => [c, 0])), ...job.counts },
    ...(job.error ? { error: job.error } : {}),
  };
}

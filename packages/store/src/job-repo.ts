import { z } from 'zod';
import type { ScoredShard, WalkPosition } from './account-repo';
import { defineEntity } from './entity';
import { jobKey, latestJobKey } from './keys';
import { type Table, toAttr } from './table';

const JOB_KINDS = ['decay', 'rescore', 'rematerialise'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
/** `queued` until its first step is done, `running` until every shard is; `done`, `superseded` or `failed` for good. */
const JOB_STATUSES = ['queued', 'running', 'done', 'superseded', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
const ACTIVE: JobStatus[] = ['queued', 'running'];

/** What one shard of a job walks: a shard of the scored-accounts index, or an audience's members. */
export type WalkShard = ScoredShard | { audience: string };

/** Where one shard of a job stands. */
export interface JobShardState {
  /** The step whose message is (or was last) due: 0 is the first. */
  step: number;
  /** Where step `step` starts; absent: at the beginning. */
  pos?: WalkPosition;
  done: boolean;
  /** The last step whose message was sent: below `step`, the message of `step` may be lost. */
  sent: number;
}

export interface JobRecord {
  id: string;
  kind: JobKind;
  status: JobStatus;
  /** What started it: a configuration section and its revision, or nothing (the schedule). */
  trigger: { section?: string; revision?: number };
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  shards: WalkShard[];
  states: JobShardState[];
  shardsDone: number;
  /** Steps done so far, over all shards. */
  steps: number;
  /** Counters the steps add to (accounts, saved, failed, joined...). */
  counts: Record<string, number>;
  error?: string;
}

/** Jobs are kept this long for their status to be read, then DynamoDB's TTL removes them. */
const JOB_TTL_DAYS = 30;
const COUNTER = /^[a-z]+$/;

/**
 * Resumable jobs: one item each, updated by single-item conditional writes only. A step is
 * committed only by the delivery that holds the shard's current step number, so a message
 * delivered twice adds its counters once and sends its continuation once.
 */
export class JobRepository {
  constructor(private readonly table: Table) {}

  /** Stores a new job, every shard at its first step. */
  async create(job: Pick<JobRecord, 'id' | 'kind' | 'trigger' | 'shards'>, at: Date): Promise<JobRecord> {
    const iso = at.toISOString();
    const states = Object.fromEntries(job.shards.map((_, i) => [stateAttr(i), { step: 0, done: false, sent: 0 }]));
    const item = {
      ...jobKey(job.id),
      id: job.id,
      kind: job.kind,
      status: ACTIVE[0],
      trigger: job.trigger,
      createdAt: iso,
      updatedAt: iso,
      shards: job.shards,
      shardsDone: 0,
      steps: 0,
      expiresAt: Math.floor(at.getTime() / 1000) + JOB_TTL_DAYS * 86_400,
      ...states,
    };
    await this.table.put(item, { ConditionExpression: 'attribute_not_exists(pk)' });
    return toJob(item);
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const item = await this.table.get(jobKey(id), true);
    return item ? toJob(item) : undefined;
  }

  /** The latest job of a kind, if any was started. */
  async latest(kind: JobKind): Promise<JobRecord | undefined> {
    const pointer = await this.table.get(latestJobKey(kind), true);
    return typeof pointer?.id === 'string' ? this.get(pointer.id) : undefined;
  }

  /** Records `id` as the latest job of its kind; answers the id it replaced. */
  async replaceLatest(kind: JobKind, id: string): Promise<string | undefined> {
    const replaced = await this.table.update(latestJobKey(kind), {
      UpdateExpression: 'SET #id = :id',
      ExpressionAttributeNames: { '#id': 'id' },
      ExpressionAttributeValues: toAttr({ ':id': id }),
      ReturnValues: 'UPDATED_OLD',
    });
    const previous = replaced?.id;
    return typeof previous === 'string' ? previous : undefined;
  }

  /** Ends a job that is still active because a newer one covers its work; false if it had ended. */
  supersede(id: string, at: Date): Promise<boolean> {
    return this.end(id, 'superseded', at);
  }

  /** Ends an active job as failed, with the reason; false if it had ended. */
  fail(id: string, error: string, at: Date): Promise<boolean> {
    return this.end(id, 'failed', at, error.slice(0, 1000));
  }

  /**
   * Takes the lease of a shard's step `step` for one delivery (`owner`) until `until` (epoch ms),
   * and marks the job running: only if the shard is at that step, the job active, and no other
   * delivery holds an unexpired lease. False: another delivery is working on it, or it is past.
   */
  async leaseStep(id: string, shard: number, step: number, owner: string, until: number, now: Date): Promise<boolean> {
    return this.table.updateIf(jobKey(id), {
      UpdateExpression: 'SET #st.#lease = :owner, #st.#until = :until, #status = :running, updatedAt = :at',
      ConditionExpression:
        '#st.#step = :step AND #status IN (:queued, :running) AND ' +
        '(attribute_not_exists(#st.#until) OR #st.#until < :now OR #st.#lease = :owner)',
      ExpressionAttributeNames: {
        '#st': stateAttr(shard),
        '#step': 'step',
        '#lease': 'lease',
        '#until': 'until',
        '#status': 'status',
      },
      ExpressionAttributeValues: toAttr({
        ':owner': owner,
        ':until': until,
        ':now': now.getTime(),
        ':step': step,
        ':running': 'running',
        ':queued': 'queued',
        ':at': now.toISOString(),
      }),
    });
  }

  /** Gives back a lease `leaseStep` took (a step that failed), so a redelivery need not wait for it to expire. */
  async releaseStep(id: string, shard: number, step: number, owner: string): Promise<void> {
    await this.table.updateIf(jobKey(id), {
      UpdateExpression: 'REMOVE #st.#lease, #st.#until',
      ConditionExpression: '#st.#step = :step AND #st.#lease = :owner',
      ExpressionAttributeNames: { '#st': stateAttr(shard), '#step': 'step', '#lease': 'lease', '#until': 'until' },
      ExpressionAttributeValues: toAttr({ ':step': step, ':owner': owner }),
    });
  }

  /**
   * Commits step `step` of a shard: the shard moves to the next step at `next.pos` (or is done,
   * its lease released), `counts` are added, and the job is running. Only if the shard is still at `step` and the job
   * active: else (a duplicate delivery committed first, or the job ended) nothing is written and
   * the answer is undefined. Answers the job as it is after the commit.
   */
  async commitStep(
    id: string,
    shard: number,
    step: number,
    next: { pos?: WalkPosition; done: boolean },
    counts: Record<string, number>,
    at: Date,
  ): Promise<JobRecord | undefined> {
    const names: Record<string, string> = { '#st': stateAttr(shard), '#step': 'step', '#status': 'status' };
    const values: Record<string, unknown> = {
      ':state': { step: step + 1, done: next.done, sent: step, ...(next.pos ? { pos: next.pos } : {}) },
      ':step': step,
      ':running': 'running',
      ':queued': 'queued',
      ':at': at.toISOString(),
      ':one': 1,
      ':done': next.done ? 1 : 0,
    };
    const adds = ['steps :one', 'shardsDone :done'];
    for (const [name, value] of Object.entries(counts)) {
      if (!COUNTER.test(name)) throw new Error(`job counter "${name}": lower-case letters only`);
      names[`#n_${name}`] = `n_${name}`;
      values[`:n_${name}`] = value;
      adds.push(`#n_${name} :n_${name}`);
    }
    const advanced = await this.table.tryUpdate(jobKey(id), {
      UpdateExpression: `SET #st = :state, #status = :running, updatedAt = :at ADD ${adds.join(', ')}`,
      ConditionExpression: '#st.#step = :step AND #status IN (:queued, :running)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: toAttr(values),
      ReturnValues: 'ALL_NEW',
    });
    return advanced && toJob(advanced.attributes ?? {});
  }

  /** Records that the message of a shard's step `step` was sent (if the shard is still at it). */
  async markSent(id: string, shard: number, step: number): Promise<void> {
    await this.table.updateIf(jobKey(id), {
      UpdateExpression: 'SET #st.#sent = :step',
      ConditionExpression: '#st.#step = :step',
      ExpressionAttributeNames: { '#st': stateAttr(shard), '#step': 'step', '#sent': 'sent' },
      ExpressionAttributeValues: toAttr({ ':step': step }),
    });
  }

  /** Marks the job done once every shard is; true for the one caller that did it. */
  async finish(id: string, shards: number, at: Date): Promise<boolean> {
    return this.table.updateIf(jobKey(id), {
      UpdateExpression: 'SET #status = :done, finishedAt = :at, updatedAt = :at',
      ConditionExpression: '#status IN (:queued, :running) AND shardsDone >= :shards',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: toAttr({
        ':done': 'done',
        ':queued': 'queued',
        ':running': 'running',
        ':at': at.toISOString(),
        ':shards': shards,
      }),
    });
  }

  private end(id: string, status: JobStatus, at: Date, error?: string): Promise<boolean> {
    return this.table.updateIf(jobKey(id), {
      UpdateExpression: `SET #status = :status, finishedAt = :at, updatedAt = :at${error ? ', #error = :error' : ''}`,
      ConditionExpression: '#status IN (:queued, :running)',
      ExpressionAttributeNames: { '#status': 'status', ...(error ? { '#error': 'error' } : {}) },
      ExpressionAttributeValues: toAttr({
        ':status': status,
        ':queued': ACTIVE[0],
        ':running': ACTIVE[1],
        ':at': at.toISOString(),
        ...(error ? { ':error': error } : {}),
      }),
    });
  }
}

const stateAttr = (shard: number) => `st${shard}`;

/**
 * The job item (`JOB#<id>`): its record, each shard's state as `st<i>` and each counter as
 * `n_<name>` (attributes named by the data, so kept beside the fixed ones).
 */
const jobEntity = defineEntity({
  name: 'job',
  key: jobKey,
  attributes: z.looseObject({
    id: z.string(),
    kind: z.enum(JOB_KINDS),
    status: z.enum(JOB_STATUSES),
    trigger: z.object({ section: z.string().optional(), revision: z.number().optional() }).default({}),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().optional(),
    shards: z
      .array(z.union([z.object({ half: z.enum(['live', 'cold']), shard: z.number() }), z.object({ audience: z.string() })]))
      .default([]),
    shardsDone: z.number().default(0),
    steps: z.number().default(0),
    error: z.string().optional(),
  }),
  indexes: [],
  ttl: 'expiresAt',
});

const ShardState = z.object({
  step: z.number().default(0),
  done: z.boolean().default(false),
  sent: z.number().default(0),
  pos: z.record(z.string(), z.string()).optional(),
});

function toJob(item: Record<string, unknown>): JobRecord {
  const { id, kind, status, trigger, createdAt, updatedAt, finishedAt, shards, shardsDone, steps, error } = jobEntity.parse(item);
  const counts: Record<string, number> = {};
  for (const [attr, value] of Object.entries(item))
    if (attr.startsWith('n_') && typeof value === 'number') counts[attr.slice(2)] = value;
  return {
    id,
    kind,
    status,
    trigger,
    createdAt,
    updatedAt,
    ...(finishedAt ? { finishedAt } : {}),
    shards,
    states: shards.map((_, i) => ShardState.parse(item[stateAttr(i)] ?? {})),
    shardsDone,
    steps,
    counts,
    ...(error ? { error } : {}),
  };
}

import { OUTCOMES, type Outcome } from '@intent/qualify';
import { z } from 'zod';
import { defineEntity } from './entity';
import { latestPushPointerQuery, pushKey, pushPk, pushPointerKey } from './keys';
import { type Table, toAttr } from './table';

/** Which push: the pod, when the account entered its queue (ISO 8601) and the account. */
export interface PushRef {
  podId: string;
  pushedAt: string;
  domain: string;
}

const StoredOutcome = z.enum(OUTCOMES);

/**
 * One time an account entered a pod queue (`PUSH#<podId>` / `<pushedAt>#<domain>`), and what
 * sales did with it: the alignment metrics' and calibration's input. Read without its key.
 */
export const pushEntity = defineEntity({
  name: 'push',
  key: ({ podId, pushedAt, domain }: PushRef) => pushKey(podId, pushedAt, domain),
  attributes: z.object({
    podId: z.string(),
    domain: z.string(),
    /** ISO 8601: when the account entered the queue. */
    pushedAt: z.string(),
    /** The first claim after the push. */
    firstClaimAt: z.string().optional(),
    /** The first feedback after the push while the account was queued, and its outcome (sales' first verdict). */
    firstFeedbackAt: z.string().optional(),
    outcome: StoredOutcome.optional(),
    /**
     * What the push knew (the calibration package's `PushEvidence`): kept as it is here, parsed
     * back by its owner. Absent on pushes recorded before snapshots were kept.
     */
    evidence: z.record(z.string(), z.unknown()).optional(),
    /** Feedback joined to the push (every piece while it was the account's latest push): the first outcome ... */
    firstOutcome: StoredOutcome.optional(),
    /** ... every distinct outcome (at most the 7 there are; a string set, read as a list) ... */
    outcomes: z
      .set(StoredOutcome)
      .transform((outcomes) => [...outcomes])
      .optional(),
    /** ... and the reason given with the first rejection (at most REJECT_REASON_CHARS). */
    rejectReason: z.string().optional(),
  }),
  indexes: [],
});

/** One time an account entered a pod queue, and what sales did with it. */
export type PushRecord = z.infer<typeof pushEntity.attributes>;

/** The account's pointer to one of its pushes (`ACCT#<domain>` / `P#<pushedAt>#<podId>`): which push later feedback joins. */
export const pushPointerEntity = defineEntity({
  name: 'push pointer',
  key: ({ podId, pushedAt, domain }: PushRef) => pushPointerKey(domain, pushedAt, podId),
  attributes: z.object({ podId: z.string(), pushedAt: z.string() }),
  indexes: [],
});

/** A page of a pod's pushes, newest first, and where the next page starts (absent: no more). */
export interface PushPage {
  pushes: PushRecord[];
  next?: Record<string, unknown>;
}

export const REJECT_REASON_CHARS = 200;

/**
 * Push records: written only on transitions (entering a queue, the first claim, feedback),
 * never per event, so they cost nothing on the hot path. Each push also has a pointer item in
 * its account's partition, so feedback finds the push it belongs to.
 */
export class PushRepository {
  constructor(private readonly table: Table) {}

  /** Idempotent: the key is the pod, the instant and the domain. `evidence`: the push's snapshot. */
  async record(push: PushRef, evidence?: Record<string, unknown>): Promise<void> {
    const { podId, pushedAt, domain } = push;
    await this.table.writeMany([
      { ...pushEntity.key(push), podId, pushedAt, domain, ...(evidence && { evidence }) },
      { ...pushPointerEntity.key(push), podId, pushedAt },
    ]);
  }

  async remove(push: PushRef): Promise<void> {
    await this.table.writeMany([], [pushEntity.key(push), pushPointerEntity.key(push)]);
  }

  /** The account's latest push at or before `at` (ISO 8601), read consistently; undefined when none. */
  async latestOf(domain: string, at: string): Promise<PushRef | undefined> {
    const { ExpressionAttributeValues, ...query } = latestPushPointerQuery(domain, at);
    const { items } = await this.table.queryPage({
      ...query,
      ExpressionAttributeValues: toAttr(ExpressionAttributeValues),
      ConsistentRead: true,
    });
    const item = items[0];
    return item ? { ...pushPointerEntity.parse(item), domain } : undefined;
  }

  /** Sets the first claim time unless one is set; 'unchanged' when it was (or the push is unknown). */
  markClaimed(push: PushRef, at: string): Promise<'updated' | 'unchanged'> {
    return this.setOnce(push, 'firstClaimAt', { firstClaimAt: at });
  }

  /** Sets the first feedback time and its outcome unless feedback was recorded already. */
  markFeedback(push: PushRef, at: string, outcome: Outcome): Promise<'updated' | 'unchanged'> {
    return this.setOnce(push, 'firstFeedbackAt', { firstFeedbackAt: at, outcome });
  }

  /**
   * Joins a piece of feedback to the push, in one update: adds its outcome to the push's
   * outcomes, and keeps the first outcome and the first rejection's reason. 'missing' when the
   * push is gone (taken back by a re-score that lost a race).
   */
  async joinOutcome(push: PushRef, outcome: Outcome, reason?: string): Promise<'joined' | 'missing'> {
    const rejection = outcome === 'rejected' && reason !== undefined;
    const joined = await this.table.updateIf(pushEntity.key(push), {
      UpdateExpression: `ADD outcomes :o SET firstOutcome = if_not_exists(firstOutcome, :first)${
        rejection ? ', rejectReason = if_not_exists(rejectReason, :r)' : ''
      }`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: {
        ':o': { SS: [outcome] },
        ':first': { S: outcome },
        ...(rejection && { ':r': { S: reason.slice(0, REJECT_REASON_CHARS) } }),
      },
    });
    return joined ? 'joined' : 'missing';
  }

  /** The pod's pushes with `pushedAt` in [from, to] (ISO 8601 instants), oldest first. */
  async inWindow(podId: string, from: string, to: string): Promise<PushRecord[]> {
    const items = await this.table.queryAll(windowQuery(podId, from, to));
    return items.map(pushEntity.parse);
  }

  /** One page (at most `limit`) of the pod's pushes in [from, to], newest first, from `start` (a page's `next`). */
  async pageNewestFirst(
    podId: string,
    from: string,
    to: string,
    limit: number,
    start?: Record<string, unknown>,
  ): Promise<PushPage> {
    const { items, lastKey } = await this.table.queryPage({
      ...windowQuery(podId, from, to),
      ScanIndexForward: false,
      Limit: limit,
      ...(start && { ExclusiveStartKey: toAttr(start) }),
    });
    return { pushes: items.map(pushEntity.parse), ...(lastKey && { next: lastKey }) };
  }

  private async setOnce(push: PushRef, guard: string, values: Record<string, string>): Promise<'updated' | 'unchanged'> {
    const names = Object.fromEntries(Object.keys(values).map((k, i) => [`#a${i}`, k]));
    const sets = Object.keys(values).map((_, i) => `#a${i} = :a${i}`);
    const updated = await this.table.updateIf(pushEntity.key(push), {
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#guard)',
      ExpressionAttributeNames: { ...names, '#guard': guard },
      ExpressionAttributeValues: toAttr(Object.fromEntries(Object.values(values).map((v, i) => [`:a${i}`, v]))),
    });
    return updated ? 'updated' : 'unchanged';
  }
}

function windowQuery(podId: string, from: string, to: string) {
  return {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    // '~' sorts after every character of a domain, so pushes at exactly `to` are included.
    ExpressionAttributeValues: toAttr({ ':pk': pushPk(podId), ':from': from, ':to': `${to}#~` }),
  };
}

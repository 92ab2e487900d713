import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Outcome } from '@intent/qualify';
import { isConditionalCheckFailed } from './errors';
import { latestPushPointerQuery, pushKey, pushPk, pushPointerKey } from './keys';
import { type Table, toAttr } from './table';

/** One time an account entered a pod queue, and what sales did with it: the alignment metrics' and calibration's input. */
export interface PushRecord {
  podId: string;
  domain: string;
  /** ISO 8601: when the account entered the queue. */
  pushedAt: string;
  /** The first claim after the push. */
  firstClaimAt?: string;
  /** The first feedback after the push while the account was queued, and its outcome (sales' first verdict). */
  firstFeedbackAt?: string;
  outcome?: Outcome;
  /**
   * What the push knew (the calibration package's `PushEvidence`): kept as it is here, parsed
   * back by its owner. Absent on pushes recorded before snapshots were kept.
   */
  evidence?: Record<string, unknown>;
  /** Feedback joined to the push (every piece while it was the account's latest push): the first outcome ... */
  firstOutcome?: Outcome;
  /** ... every distinct outcome (at most the 7 there are) ... */
  outcomes?: Outcome[];
  /** ... and the reason given with the first rejection (at most REJECT_REASON_CHARS). */
  rejectReason?: string;
}

export type PushRef = Pick<PushRecord, 'podId' | 'pushedAt' | 'domain'>;

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
      { ...pushKey(podId, pushedAt, domain), podId, pushedAt, domain, ...(evidence && { evidence }) },
      { ...pushPointerKey(domain, pushedAt, podId), podId, pushedAt },
    ]);
  }

  async remove(push: PushRef): Promise<void> {
    await this.table.writeMany(
      [],
      [pushKey(push.podId, push.pushedAt, push.domain), pushPointerKey(push.domain, push.pushedAt, push.podId)],
    );
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
    return item ? { podId: String(item.podId), pushedAt: String(item.pushedAt), domain } : undefined;
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
    try {
      await this.table.client.send(
        new UpdateItemCommand({
          TableName: this.table.name,
          Key: toAttr(pushKey(push.podId, push.pushedAt, push.domain)),
          UpdateExpression: `ADD outcomes :o SET firstOutcome = if_not_exists(firstOutcome, :first)${
            rejection ? ', rejectReason = if_not_exists(rejectReason, :r)' : ''
          }`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: {
            ':o': { SS: [outcome] },
            ':first': { S: outcome },
            ...(rejection && { ':r': { S: reason.slice(0, REJECT_REASON_CHARS) } }),
          },
        }),
      );
      return 'joined';
    } catch (err) {
      if (isConditionalCheckFailed(err)) return 'missing';
      throw err;
    }
  }

  /** The pod's pushes with `pushedAt` in [from, to] (ISO 8601 instants), oldest first. */
  async inWindow(podId: string, from: string, to: string): Promise<PushRecord[]> {
    const items = await this.table.queryAll(windowQuery(podId, from, to));
    return items.map(toPush);
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
    return { pushes: items.map(toPush), ...(lastKey && { next: lastKey }) };
  }

  private async setOnce(push: PushRef, guard: string, values: Record<string, string>): Promise<'updated' | 'unchanged'> {
    const names = Object.fromEntries(Object.keys(values).map((k, i) => [`#a${i}`, k]));
    const sets = Object.keys(values).map((_, i) => `#a${i} = :a${i}`);
    const updated = await this.table.updateIf(pushKey(push.podId, push.pushedAt, push.domain), {
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

/** A push item as a record: its key left out, the outcomes set as a list. */
function toPush({ pk: _pk, sk: _sk, outcomes, ...push }: Record<string, unknown>): PushRecord {
  return {
    ...(push as unknown as PushRecord),
    ...(outcomes instanceof Set && { outcomes: [...outcomes] as Outcome[] }),
  };
}

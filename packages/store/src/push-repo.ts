import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { Outcome } from '@intent/qualify';
import { pushKey, pushPk } from './keys';
import { type Table, toAttr } from './table';

/** One time an account entered a pod queue, and what sales did with it: the alignment metrics' input. */
export interface PushRecord {
  podId: string;
  domain: string;
  /** ISO 8601: when the account entered the queue. */
  pushedAt: string;
  /** The first claim after the push. */
  firstClaimAt?: string;
  /** The first feedback after the push, and its outcome (sales' first verdict). */
  firstFeedbackAt?: string;
  outcome?: Outcome;
}

export type PushRef = Pick<PushRecord, 'podId' | 'pushedAt' | 'domain'>;

/**
 * Push records: written only on transitions (entering a queue, the first claim, the first
 * feedback), never per event, so they cost nothing on the hot path.
 */
export class PushRepository {
  constructor(private readonly table: Table) {}

  /** Idempotent: the key is the pod, the instant and the domain. */
  async record(push: PushRef): Promise<void> {
    const { podId, pushedAt, domain } = push;
    await this.table.client.send(
      new PutItemCommand({
        TableName: this.table.name,
        Item: toAttr({ ...pushKey(podId, pushedAt, domain), podId, pushedAt, domain }),
      }),
    );
  }

  async remove(push: PushRef): Promise<void> {
    await this.table.client.send(
      new DeleteItemCommand({ TableName: this.table.name, Key: toAttr(pushKey(push.podId, push.pushedAt, push.domain)) }),
    );
  }

  /** Sets the first claim time unless one is set; 'unchanged' when it was (or the push is unknown). */
  markClaimed(push: PushRef, at: string): Promise<'updated' | 'unchanged'> {
    return this.setOnce(push, 'firstClaimAt', { firstClaimAt: at });
  }

  /** Sets the first feedback time and its outcome unless feedback was recorded already. */
  markFeedback(push: PushRef, at: string, outcome: Outcome): Promise<'updated' | 'unchanged'> {
    return this.setOnce(push, 'firstFeedbackAt', { firstFeedbackAt: at, outcome });
  }

  /** The pod's pushes with `pushedAt` in [from, to] (ISO 8601 instants), oldest first. */
  async inWindow(podId: string, from: string, to: string): Promise<PushRecord[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      // '~' sorts after every character of a domain, so pushes at exactly `to` are included.
      ExpressionAttributeValues: toAttr({ ':pk': pushPk(podId), ':from': from, ':to': `${to}#~` }),
    });
    return items.map(({ pk: _pk, sk: _sk, ...push }) => push as unknown as PushRecord);
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

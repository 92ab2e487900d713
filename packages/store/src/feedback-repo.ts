import { type AccountRecord, type Hold, OUTCOMES } from '@intent/qualify';
import { z } from 'zod';
import { toRecord } from './account-repo';
import { defineEntity } from './entity';
import { accountKey, accountPk, FEEDBACK_PREFIX, feedbackKey, WON_PK, wonKey } from './keys';
import { type Table, toAttr } from './table';

/**
 * One piece of SDR (or CRM) feedback on an account (`ACCT#<domain>` / `F#<at>#<id>`), as stored
 * and as the API answers it: read without its key.
 */
export const feedbackEntity = defineEntity({
  name: 'feedback',
  key: ({ domain, at, id }: { domain: string; at: string; id: string }) => feedbackKey(domain, at, id),
  attributes: z.object({
    id: z.string(),
    domain: z.string(),
    outcome: z.enum(OUTCOMES),
    reason: z.string().optional(),
    bant: z.record(z.string(), z.union([z.boolean(), z.string()])).optional(),
    sdr: z.string().optional(),
    /** The pod the account was queued in (or routed to) when the feedback came. */
    podId: z.string().optional(),
    /** ISO 8601. */
    at: z.string(),
  }),
  indexes: [],
});

export type FeedbackRecord = z.infer<typeof feedbackEntity.attributes>;

/** An account with `closed_won` feedback (`WON` / `<domain>`): where the ICP suggestion starts. */
export const wonEntity = defineEntity({
  name: 'won account',
  key: wonKey,
  attributes: z.object({ domain: z.string(), at: z.string() }),
  indexes: [],
});

/** What listing won accounts reads of each (a projection). */
const wonDomainView = defineEntity({
  name: 'won account (domain)',
  key: wonKey,
  attributes: wonEntity.attributes.pick({ domain: true }),
  indexes: [],
});

/** What a piece of feedback changes on the account item. */
export interface FeedbackEffect {
  at: string;
  /** The new hold; undefined keeps the current one. */
  hold?: Hold;
  /** Ends a claim: the account leaves the queue for good or for the cool-off. */
  releaseClaim: boolean;
}

/**
 * Feedback records (append-only, in the account's partition), their effect on the account
 * item, and the index of won accounts.
 */
export class FeedbackRepository {
  constructor(private readonly table: Table) {}

  async add(record: FeedbackRecord): Promise<void> {
    await this.table.put({ ...feedbackEntity.key(record), ...record });
  }

  /** The account's feedback, oldest first. */
  async list(domain: string): Promise<FeedbackRecord[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :f)',
      ExpressionAttributeValues: toAttr({ ':pk': accountPk(domain), ':f': FEEDBACK_PREFIX }),
    });
    return items.map(feedbackEntity.parse);
  }

  /**
   * Records the feedback time on the account, sets its hold and ends its claim as asked, and
   * bumps the version so a concurrent re-score sees the hold. Answers the account as it was
   * before, or 'missing' when there is no such account.
   */
  async apply(domain: string, effect: FeedbackEffect): Promise<AccountRecord | 'missing'> {
    // `hold` is a DynamoDB reserved word: every attribute goes by an alias.
    const sets = ['#fb = :at', ...(effect.hold ? ['#hold = :hold'] : [])];
    const update = `SET ${sets.join(', ')}${effect.releaseClaim ? ' REMOVE #claim' : ''} ADD #version :one`;
    const names = {
      '#fb': 'fb',
      '#version': 'version',
      ...(effect.hold ? { '#hold': 'hold' } : {}),
      ...(effect.releaseClaim ? { '#claim': 'claim' } : {}),
    };
    const applied = await this.table.tryUpdate(accountKey(domain), {
      ReturnValues: 'ALL_OLD',
      UpdateExpression: update,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: toAttr({ ':at': effect.at, ':one': 1, ...(effect.hold ? { ':hold': effect.hold } : {}) }),
    });
    return applied ? toRecord(applied.attributes ?? {}) : 'missing';
  }

  /** Adds the account to the won index (idempotent). */
  async markWon(domain: string, at: string): Promise<void> {
    await this.table.put({ ...wonEntity.key(domain), domain, at });
  }

  /** Domains of every account with `closed_won` feedback. */
  async wonDomains(): Promise<string[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: toAttr({ ':pk': WON_PK }),
      // `domain` is a reserved word.
      ProjectionExpression: '#domain',
      ExpressionAttributeNames: { '#domain': 'domain' },
    });
    return items.map((item) => wonDomainView.parse(item).domain);
  }
}

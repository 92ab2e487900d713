import { accountOutboxView } from './account-entity';
import { outboxOf, scoredIndexFields } from './account-repo';
import { accountKey } from './keys';
import { type Projection, type Table, toAttr } from './table';

/** Attempts at taking sent messages off an account that other writers keep changing. */
const MAX_ATTEMPTS = 3;

/** What taking messages off needs: the outbox, the version, and whether the account is live without them. */
const OUTBOX_VIEW: Projection = {
  expression: 'ob, version, #s.#queuedIn, #s.#intent.#stage',
  names: { '#s': 's', '#queuedIn': 'queuedIn', '#intent': 'intent', '#stage': 'stage' },
};

/**
 * The pod-message outbox: messages live on their account's item (`ob`, written by
 * `AccountRepository.saveScore` with the score that made them) until SQS accepted them.
 */
export class OutboxRepository {
  constructor(private readonly table: Table) {}

  /**
   * Takes the messages `ids` off the account's outbox, guarded by the account's version so a
   * score saved meanwhile (with messages of its own) is never overwritten: on a lost race it
   * reads again, `MAX_ATTEMPTS` times at most. Answers whether they are off; when not, they
   * stay and are sent again later (their ids let receivers drop the copy). An emptied outbox
   * lets a cold account return to the cold half of the scored-accounts index.
   */
  async markSent(domain: string, ids: string[]): Promise<boolean> {
    const sent = new Set(ids);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const [read] = await this.table.getMany([accountKey(domain)], true, OUTBOX_VIEW);
      if (!read) return true;
      const item = accountOutboxView.parse(read);
      const outbox = outboxOf(item.ob);
      const left = outbox.filter((m) => !sent.has(m.id));
      if (left.length === outbox.length) return true;
      const score = item.s;
      const emptied = left.length === 0 && score !== undefined;
      const saved = await this.table.updateIf(accountKey(domain), {
        UpdateExpression: emptied ? 'SET gsi2pk = :pk REMOVE ob' : left.length ? 'SET ob = :ob' : 'REMOVE ob',
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: toAttr({
          ':v': item.version,
          ...(emptied
            ? { ':pk': scoredIndexFields(domain, score.queuedIn !== undefined || score.intent?.stage !== 'cold').gsi2pk }
            : {}),
          ...(left.length ? { ':ob': Object.fromEntries(left.map((m) => [m.id, m])) } : {}),
        }),
      });
      if (saved) return true;
    }
    return false;
  }
}

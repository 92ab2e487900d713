import type { Logger } from '@aws-lambda-powertools/logger';
import type { Store } from '@intent/store';
import { settleLimited } from './concurrency';
import type { PodMessage } from './pod-messages';

/** Sends pod messages; answers those it is done with (accepted by SQS, or for a pod without a queue). */
export type PodMessageSender = (messages: PodMessage[]) => Promise<PodMessage[]>;

/** Accounts whose outboxes are updated at once after a send. */
const CONCURRENCY = 8;

/**
 * Messages an account's outbox keeps at most before it lets superseded updates go: at ~2 KB
 * each, 50 stay well inside the item limit next to the score (docs/storage.md), however long
 * SQS is away.
 */
export const MAX_OUTBOX_MESSAGES = 50;

/**
 * The outbox a save writes: the messages still held, then the new ones. Past
 * `MAX_OUTBOX_MESSAGES`, the oldest `account.updated` messages followed by a newer message to
 * the same pod go first: the newer one carries the account's state, so no change of queue
 * (qualified, dequalified) is ever dropped.
 */
export function nextOutbox(held: PodMessage[], changes: PodMessage[]): PodMessage[] {
  const all = [...held, ...changes];
  const drop = new Set<number>();
  for (let i = 0; i < all.length && all.length - drop.size > MAX_OUTBOX_MESSAGES; i++) {
    const m = all[i] as PodMessage;
    if (m.type === 'account.updated' && all.slice(i + 1).some((later) => later.podId === m.podId)) drop.add(i);
  }
  return all.filter((_, i) => !drop.has(i));
}

/**
 * Delivers pod messages that a re-score saved in its account's outbox: sends them, then takes
 * those SQS accepted off their accounts. Whatever was not accepted (a failed send, or an
 * invocation that stopped before this ran) stays and is sent by the account's next re-score
 * once `OUTBOX_GRACE_MS` has passed: the next batch that touches it, or the hourly decay walk,
 * which visits every account holding messages. Never throws: the change is saved either way.
 */
export function podMessageOutbox(
  store: Store,
  send: PodMessageSender,
  logger: Pick<Logger, 'warn' | 'error'>,
): (messages: PodMessage[]) => Promise<void> {
  return async (messages) => {
    if (!messages.length) return;
    const done = await send(messages).catch((err) => {
      logger.error('pod messages not sent; they stay in the outbox', { error: err as Error, messages: messages.length });
      return [];
    });
    const byDomain = new Map<string, string[]>();
    for (const m of done) byDomain.set(m.domain, [...(byDomain.get(m.domain) ?? []), m.id]);
    const marked = await settleLimited([...byDomain], CONCURRENCY, ([domain, ids]) => store.outbox.markSent(domain, ids));
    const unmarked = marked.filter((r) => r.status === 'rejected' || !r.value).length;
    // Left on the outbox, they are sent again: a copy with the same id, which receivers drop.
    if (unmarked) logger.warn('sent pod messages left on their outboxes; they will be sent again', { accounts: unmarked });
  };
}

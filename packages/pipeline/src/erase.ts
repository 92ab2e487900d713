import { EVENT_HISTORY_DAYS } from '@intent/config';
import { visitorPerson } from '@intent/events';
import { addDays, dayOf } from '@intent/intent';
import { ACTIVITY_TTL_DAYS } from '@intent/store';
import type { PodMessage } from './pod-messages';
import { rescoreAccount } from './rescore';
import type { ServiceDeps } from './service-deps';

export interface ErasureDeps extends ServiceDeps {
  /** The per-deployment hashing secret: a visitor counts in people sets as a keyed hash of its id. */
  hashSecret: string;
}

/** What `DELETE /v1/visitors/{anonymousId}` answers, and the pod messages its re-score produced. */
export interface ErasureResult {
  anonymousId: string;
  /** When the visitor was first erased: a repeated erasure keeps it. */
  erasedAt: string;
  erased: {
    /** The visitor's link to an account (0 or 1); the tombstone that replaces it is not counted. */
    identityLinks: number;
    /** Engaged events kept for stitching. */
    pendingEvents: number;
    /** Account rollup items (account x day x topic) whose distinct-people set held the visitor. */
    accountRollups: number;
    /** Site activity days (site x day) whose per-topic visitor sets held the visitor. */
    siteActivityDays: number;
  };
  /** The account the visitor was linked to and removed from, re-scored: empty when none. */
  accounts: string[];
  messages: PodMessage[];
}

/** DynamoDB's TTL deletes expired items within days, not at once: look a little further back. */
const TTL_LAG_DAYS = 2;

/**
 * Erases what is stored about one visitor (GDPR / CCPA erasure), idempotently:
 * 1. the visitor's link becomes a tombstone first, so from now on no batch links the visitor
 *    again or counts its events for an account or a person (the rollup drops them);
 * 2. the users it identified with stop counting as its person (their events under the user
 *    id alone counted as the visitor, see `AccountResolver.personOf`);
 * 3. its pending events go, and with them the person hashes they carried;
 * 4. the persons it was counted as (its own hash, those of its pending events, and the hashes
 *    of its users: their events before the link, and events counted before a visitor was one
 *    person) leave the `people` sets of the linked account's rollups, and the account is
 *    re-scored (breadth drops; pod and audience changes follow);
 * 5. they leave every configured site's per-topic visitor sets;
 * 6. the tombstone forgets the account and the users. A failure before this step leaves them
 *    on the tombstone, so retrying the erasure finishes it.
 * Counters (reads per account, topic and day; page views and reads per site) stay: they name
 * no one. Erasing a visitor never seen still leaves the tombstone, so its events are never counted.
 */
export async function eraseVisitor(anonymousId: string, deps: ErasureDeps): Promise<ErasureResult> {
  const { store, config, now } = deps;
  const today = dayOf(now);
  const tomorrow = addDays(today, 1);
  const mark = await store.identity.beginErasure(anonymousId, now.toISOString());
  const person = visitorPerson(deps.hashSecret, anonymousId);
  await Promise.all(mark.users.map((userHash) => store.identity.forgetPerson(userHash, person)));
  const pending = await store.erasure.erasePending(anonymousId, addDays(today, -EVENT_HISTORY_DAYS - TTL_LAG_DAYS), tomorrow);
  const persons = [...new Set([person, ...pending.persons, ...mark.users])];

  let accountRollups = 0;
  const messages: PodMessage[] = [];
  if (mark.domain) {
    accountRollups = await store.erasure.erasePeople(mark.domain, persons);
    // Always, even when no set changed: a retry must finish a re-score that failed before.
    messages.push(...(await rescoreAccount(mark.domain, deps)).messages);
  }
  const siteDays = await Promise.all(
    config.sites.sites.map((site) =>
      store.erasure.eraseSiteVisitors(site.id, addDays(today, -ACTIVITY_TTL_DAYS - TTL_LAG_DAYS), tomorrow, persons),
    ),
  );
  if (mark.domain) await store.identity.finishErasure(anonymousId);

  return {
    anonymousId,
    erasedAt: mark.erasedAt,
    erased: {
      identityLinks: mark.domain ? 1 : 0,
      pendingEvents: pending.events,
      accountRollups,
      siteActivityDays: siteDays.reduce((a, b) => a + b, 0),
    },
    accounts: mark.domain ? [mark.domain] : [],
    messages,
  };
}

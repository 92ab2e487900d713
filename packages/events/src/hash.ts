import { createHmac } from 'node:crypto';

/**
 * Keyed hash (HMAC-SHA-256, base64url) with a per-deployment secret: emails, user ids and
 * visitor ids are stored only in this form, and a leaked table cannot be joined to other data
 * without the secret. `length` trades size for collision odds (16 chars = 96 bits).
 */
export function keyedHash(secret: string, value: string, length = 16): string {
  return createHmac('sha256', secret).update(value).digest('base64url').slice(0, length);
}

/**
 * The visitors' people, kept while there are at most this many: a batch's events mostly share
 * one visitor, whose hash is then made once. Forgotten all at once when full.
 */
const MAX_REMEMBERED_VISITORS = 1_000;
const visitorPeople = new Map<string, string>();

/**
 * The person a visitor (an anonymous id) counts as in distinct-people sets (rollups, site
 * activity), before and after it identifies: the one place this formula lives, so erasure finds it.
 */
export function visitorPerson(secret: string, anonymousId: string): string {
  const remembered = `${secret}\n${anonymousId}`;
  let person = visitorPeople.get(remembered);
  if (person === undefined) {
    if (visitorPeople.size >= MAX_REMEMBERED_VISITORS) visitorPeople.clear();
    person = keyedHash(secret, `anon:${anonymousId}`);
    visitorPeople.set(remembered, person);
  }
  return person;
}

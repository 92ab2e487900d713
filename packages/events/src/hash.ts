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
 * The person a visitor (an anonymous id) counts as in distinct-people sets (rollups, site
 * activity), before and after it identifies: the one place this formula lives, so erasure finds it.
 */
export function visitorPerson(secret: string, anonymousId: string): string {
  return keyedHash(secret, `anon:${anonymousId}`);
}

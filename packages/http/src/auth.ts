import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { forbidden, unauthorized } from './errors';
import type { HttpRequest } from './request';

export const Scope = z
  .string()
  .regex(/^(admin|marketing|sdr:(\*|[a-z0-9][a-z0-9_-]{0,62}))$/, 'a scope is admin, marketing, sdr:<podId> or sdr:*');

export interface Principal {
  keyId: string;
  /** The key's name as created (`POST /v1/keys`); what records of who did something show beside the id. */
  name: string;
  scopes: string[];
  /**
   * The SDR a personal key belongs to (its name): a stored key with an `sdr:` scope and no
   * `admin` scope acts in its own name only. Absent for admin and other keys, which name the SDR.
   */
  sdr?: string;
}

export interface KeyLookup {
  findByHash(hash: string): Promise<{ id: string; name: string; scopes: string[] } | undefined>;
}

/** API keys are high-entropy random strings, so a plain SHA-256 is the right stored form. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function newApiKey(): string {
  return `ik_${randomBytes(24).toString('base64url')}`;
}

/**
 * Resolves the bearer key of a request. `bootstrapAdminSha256` is the hash of the admin key
 * given to the deployment (INTENT_ADMIN_KEY locally), which works before any key is stored.
 */
export async function authenticate(req: HttpRequest, keys: KeyLookup, bootstrapAdminSha256?: string): Promise<Principal> {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1]) throw unauthorized();
  const hash = hashApiKey(match[1]);
  if (bootstrapAdminSha256 && hash === bootstrapAdminSha256)
    return { keyId: 'bootstrap-admin', name: 'bootstrap admin key', scopes: ['admin'] };
  const record = await keys.findByHash(hash);
  if (!record) throw unauthorized('the API key is unknown or revoked');
  const personal = record.scopes.some((s) => s.startsWith('sdr:')) && !record.scopes.includes('admin');
  return { keyId: record.id, name: record.name, scopes: record.scopes, ...(personal && { sdr: record.name }) };
}

/** `admin` implies every scope; `sdr:*` implies every `sdr:<podId>`. */
export function hasScope(principal: Principal, scope: string): boolean {
  return principal.scopes.some((s) => s === 'admin' || s === scope || (s === 'sdr:*' && scope.startsWith('sdr:')));
}

export function requireScope(principal: Principal, ...anyOf: string[]): void {
  if (!anyOf.some((scope) => hasScope(principal, scope))) {
    throw forbidden('insufficient_scope', `this API key lacks the scope ${anyOf.join(' or ')}`);
  }
}

/**
 * Who a claim or release acts for: a personal key always acts in its own name, so naming
 * another SDR with it is refused rather than silently ignored; other keys act for the SDR named.
 */
export function actingSdr(principal: Principal, named: string | undefined): string | undefined {
  if (!principal.sdr) return named;
  if (named !== undefined && named !== principal.sdr) {
    throw forbidden('sdr_mismatch', `this key belongs to ${principal.sdr}; it cannot act for ${named}`);
  }
  return principal.sdr;
}

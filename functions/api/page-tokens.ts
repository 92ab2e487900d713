import { timingSafeEqual } from 'node:crypto';
import { keyedHash } from '@intent/events';
import { badRequest, type HttpRequest } from '@intent/http';

/**
 * Audience cursors and page tokens: base64url JSON of the audience, the log position, and for
 * a page token what it pages through (`m`: the full listing, a delta, an export) and where
 * (`k`: the last domain of the page before).
 */
export interface Position {
  a: string;
  s: number;
  k?: string;
  m?: 'full' | 'delta' | 'export';
}
const MODES = new Set(['full', 'delta', 'export']);
/** Characters of the token's keyed hash: 22 base64url characters, 132 bits. */
const MAC_LENGTH = 22;

/**
 * Every cursor and page token this API gives out (audiences' and pod queues') is signed: its
 * payload, a dot, and a keyed hash of the payload with the deployment's hash secret. A token
 * this API did not give out is refused (`400 invalid_cursor`) however well-formed, so nobody
 * can hand a connector a position it was never at.
 */
export class PageTokens {
  constructor(private readonly secret: string) {}

  sign(payload: string): string {
    return `${payload}.${this.mac(payload)}`;
  }

  /** The payload of a token this API signed, else undefined. */
  open(token: string): string | undefined {
    const at = token.lastIndexOf('.');
    if (at < 0) return undefined;
    const payload = token.slice(0, at);
    const given = Buffer.from(token.slice(at + 1));
    const expected = Buffer.from(this.mac(payload));
    return given.length === expected.length && timingSafeEqual(given, expected) ? payload : undefined;
  }

  encode(p: Position): string {
    return this.sign(Buffer.from(JSON.stringify(p)).toString('base64url'));
  }

  decode(token: string, audienceId: string, path: 'cursor' | 'page'): Position {
    try {
      const payload = this.open(token);
      const p = payload === undefined ? undefined : (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Position);
      const valid =
        p &&
        p.a === audienceId &&
        Number.isSafeInteger(p.s) &&
        p.s >= 0 &&
        (p.k === undefined || typeof p.k === 'string') &&
        (path === 'cursor' ? p.m === undefined : MODES.has(String(p.m)));
      if (valid) return p;
    } catch {
      // fall through: not one we gave out
    }
    throw invalidCursor(path, `not a ${path} this API gave out for audience ${audienceId}`);
  }

  /** A page token of the given mode, or a 400 naming `page`. */
  pageOf(req: HttpRequest, audienceId: string, mode: NonNullable<Position['m']>): Position | undefined {
    if (req.query.page === undefined) return undefined;
    const page = this.decode(req.query.page, audienceId, 'page');
    if (page.m !== mode) throw invalidCursor('page', `not a page of this ${mode === 'export' ? 'export' : 'listing'}`);
    return page;
  }

  private mac(payload: string): string {
    return keyedHash(this.secret, `page-token:${payload}`, MAC_LENGTH);
  }
}

export const invalidCursor = (path: 'cursor' | 'page', message: string) =>
  badRequest('invalid_cursor', `${path}: ${message}`, [{ path, message }]);

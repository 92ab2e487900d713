import { badRequest, type HttpRequest } from '@intent/http';

/**
 * Cursors and page tokens are opaque to callers: base64url JSON of the audience, the log
 * position, and for a page token what it pages through (`m`: the full listing, a delta, an
 * export) and where (`k`: the last domain of the page before).
 */
export interface Position {
  a: string;
  s: number;
  k?: string;
  m?: 'full' | 'delta' | 'export';
}
export const encode = (p: Position) => Buffer.from(JSON.stringify(p)).toString('base64url');
const MODES = new Set(['full', 'delta', 'export']);

export function decode(token: string, audienceId: string, path: 'cursor' | 'page'): Position {
  try {
    const p = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Position;
    // Page tokens given out before tokens named their mode were all of the full listing.
    if (path === 'page' && p && p.m === undefined && typeof p.k === 'string') p.m = 'full';
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
  throw badRequest('invalid_cursor', `${path}: not a ${path} this API gave out for audience ${audienceId}`, [
    { path, message: 'not a value this API gave out' },
  ]);
}

/** A page token of the given mode, or a 400 naming `page`. */
export function pageOf(req: HttpRequest, audienceId: string, mode: NonNullable<Position['m']>): Position | undefined {
  if (req.query.page === undefined) return undefined;
  const page = decode(req.query.page, audienceId, 'page');
  if (page.m !== mode) throw badRequest('invalid_cursor', `page: not a page of this ${mode === 'export' ? 'export' : 'listing'}`);
  return page;
}

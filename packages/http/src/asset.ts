import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import Negotiator from 'negotiator';
import type { HttpResponse } from './handler';
import type { HttpRequest } from './request';

export interface AssetOptions {
  contentType: string;
  cacheControl: string;
}

/**
 * A text asset (a script) answered the way browsers and CDNs expect: `304` when the request's
 * `If-None-Match` names its ETag, otherwise the body gzip-compressed when the request's
 * `Accept-Encoding` allows it (by its q-values), plain when not; always with the ETag,
 * `Cache-Control` and `Vary: Accept-Encoding` so that a shared cache keys on the encoding.
 *
 * The ETag is weak (`W/"..."`, a hash of the uncompressed text): the compressed and plain
 * bodies are the same content, so one validator serves both, as nginx does when it compresses.
 * Written here rather than with middy's http-content-encoding, which compresses every answer
 * of every route and knows nothing of ETags. Brotli is left out: the script gains a few
 * hundred bytes from it, and choosing it over gzip for browsers that list both needs
 * negotiator's `preferred` option, which its type definitions lack.
 */
export function assetResponse(req: HttpRequest, text: string, options: AssetOptions): HttpResponse {
  const etag = `W/"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
  const headers = { etag, 'cache-control': options.cacheControl, vary: 'Accept-Encoding' };
  if (matchesEtag(req.headers['if-none-match'], etag)) return { status: 304, headers };
  if (!acceptsGzip(req)) return { status: 200, text, headers: { ...headers, 'content-type': options.contentType } };
  return {
    status: 200,
    bytes: gzipSync(text, { level: 9 }),
    headers: { ...headers, 'content-type': options.contentType, 'content-encoding': 'gzip' },
  };
}

/** `If-None-Match` compares weakly (RFC 9110, 13.1.2): `*`, or any listed tag equal to ours with `W/` ignored. */
function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

/** Whether `Accept-Encoding` allows gzip, by its q-values (`gzip;q=0` and a missing header do not). */
function acceptsGzip(req: HttpRequest): boolean {
  return new Negotiator(req).encoding(['gzip', 'identity']) === 'gzip';
}

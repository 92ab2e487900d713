import type { Config, Site } from '@intent/config';
import type { EventSource } from '@intent/events';
import { badRequest, forbidden, HttpError, type HttpRequest, jsonBody, parseWith, tooLarge } from '@intent/http';
import { siteForWriteKey } from '@intent/pipeline';
import { z } from 'zod';

export const MAX_EVENTS = 100;
export const MAX_COLLECT_BYTES = 256 * 1024;
/** Segment's own limits on its HTTP Tracking API, which forwarders already respect. */
export const MAX_SEGMENT_BYTES = 500 * 1024;

const Envelope = z.looseObject({
  writeKey: z.string().optional(),
  batch: z.array(z.unknown()),
  sentAt: z.union([z.string(), z.number()]).optional(),
});

export type Envelope = z.infer<typeof Envelope>;
export type SegmentCall = 'track' | 'page' | 'identify' | 'group';

/** POST /v1/collect: checks content type and size, then parses `{writeKey?, batch, sentAt?}`. */
export function parseCollectEnvelope(req: HttpRequest): Envelope {
  const type = (req.headers['content-type'] ?? 'text/plain').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json' && type !== 'text/plain') {
    throw new HttpError(415, 'unsupported_content_type', 'send application/json or text/plain (as navigator.sendBeacon does)');
  }
  assertSize(req, MAX_COLLECT_BYTES);
  return parseWith(Envelope, jsonBody(req));
}

/**
 * Segment's paths: any content type (forwarders label gzip bodies in various ways); a single
 * call (`/v1/track`, ...) becomes a batch of one with the path's type.
 */
export function parseSegmentEnvelope(req: HttpRequest, call?: SegmentCall): Envelope {
  assertSize(req, MAX_SEGMENT_BYTES);
  const body = jsonBody(req);
  if (!call) return parseWith(Envelope, body);
  const single = parseWith(
    z.looseObject({ writeKey: z.string().optional(), sentAt: z.union([z.string(), z.number()]).optional() }),
    body,
  );
  return { writeKey: single.writeKey, sentAt: single.sentAt, batch: [{ ...single, type: call }] };
}

function assertSize(req: HttpRequest, maxBytes: number) {
  if (Buffer.byteLength(req.body) > maxBytes) {
    throw tooLarge('payload_too_large', `the body exceeds ${Math.round(maxBytes / 1024)} KiB`);
  }
}

/** An envelope-level sentAt applies to each event that has none (Segment's batch shape). */
export function eventsOf(envelope: Envelope): unknown[] {
  const { sentAt } = envelope;
  if (sentAt === undefined) return envelope.batch;
  return envelope.batch.map((e) => (e && typeof e === 'object' && !('sentAt' in e) ? { ...e, sentAt } : e));
}

/** The write key from the body, the X-Write-Key header, the query, or Segment's Basic auth user name. */
export function writeKeyOf(req: HttpRequest, bodyKey: string | undefined): string | undefined {
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const fromBasic = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':')[0] : undefined;
  return bodyKey || req.headers['x-write-key'] || req.query.writeKey || fromBasic || undefined;
}

/**
 * The `?writeKey=` of `GET /v1/tracker.js`. The snippet tag always carries it, so a script URL
 * without one was mistyped: a 400 that says what the URL needs, where the POST paths answer a
 * missing key with 401 (a request without its credential).
 */
export function trackerWriteKey(req: HttpRequest): string {
  const { writeKey } = req.query;
  if (writeKey) return writeKey;
  throw badRequest('missing_write_key', "tracker.js needs the site's write key: /v1/tracker.js?writeKey=<the site's writeKey>", [
    { path: 'writeKey', message: 'required query parameter' },
  ]);
}

export function requireSite(config: Config, writeKey: string | undefined): { site: Site; source: EventSource } {
  if (!writeKey)
    throw new HttpError(401, 'missing_write_key', 'a write key is required (body writeKey, X-Write-Key header or ?writeKey=)');
  const found = siteForWriteKey(config, writeKey);
  if (!found) throw new HttpError(401, 'unknown_write_key', 'the write key belongs to no configured site');
  return found;
}

/**
 * Browsers send Origin; a site with allowed origins accepts only those. Server-side callers
 * send none and are checked by their write key alone. A site with no allowed origins listed
 * accepts any origin (the development default; list origins to lock a site down).
 */
export function checkOrigin(site: Site, origin: string | undefined): void {
  if (!origin || site.allowedOrigins.length === 0) return;
  if (!site.allowedOrigins.includes(origin)) {
    throw forbidden('origin_not_allowed', `origin ${origin} is not allowed for site ${site.id}`);
  }
}

/** 429 with `Retry-After`: what the snippet and the Segment and RudderStack SDKs back off on. */
export function rateLimited(kind: 'address' | 'key', retryAfterSeconds: number): HttpError {
  const what = kind === 'address' ? "this client address's limit for the site" : "the write key's rate limit";
  return new HttpError(429, 'rate_limited', `over ${what}; retry after ${retryAfterSeconds} s`, undefined, {
    'retry-after': String(retryAfterSeconds),
  });
}

/**
 * 503 with `Retry-After` when the shared rate counters are throttled (a provisioned table while
 * auto scaling catches up): the clients retry, where a 500 would be an error they may not.
 */
export function limiterThrottled(): HttpError {
  return new HttpError(503, 'throttled', 'the rate limiter is over its capacity for a moment; retry after 1 s', undefined, {
    'retry-after': '1',
  });
}

export function corsHeaders(origin: string | undefined): Record<string, string> {
  if (!origin) return {};
  return {
    'access-control-allow-origin': origin,
    // The snippet reads it to wait as long as a 429 asks.
    'access-control-expose-headers': 'retry-after',
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers': 'content-type, x-write-key',
    'access-control-max-age': '600',
    vary: 'Origin',
  };
}

/** A preflight carries no write key: allow origins that some site allows (or its ?writeKey= site). */
export function preflightAllowed(config: Config, origin: string | undefined, writeKey: string | undefined): boolean {
  if (!origin) return false;
  const sites = writeKey ? config.sites.sites.filter((s) => s.writeKey === writeKey) : config.sites.sites;
  return sites.some((s) => s.allowedOrigins.length === 0 || s.allowedOrigins.includes(origin));
}

export function assertBatchSize(batch: unknown[]): void {
  if (batch.length > MAX_EVENTS) {
    throw tooLarge('too_many_events', `a batch holds at most ${MAX_EVENTS} events; this one has ${batch.length}`);
  }
  if (batch.length === 0) throw badRequest('empty_batch', 'batch must hold at least one event');
}

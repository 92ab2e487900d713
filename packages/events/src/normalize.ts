import type { Signal, SignalsConfig, Site } from '@intent/config';
import { EVENT_HISTORY_DAYS, TRACK_SIGNALS } from '@intent/config';
import { isFreeMailDomain, normalizeDomain } from '@intent/fit';
import { DAY_MS } from '@intent/intent';
import { isbot } from 'isbot';
import type { z } from 'zod';
import { keyedHash, visitorPerson } from './hash';
import type { EventSource, IngestMessage } from './message';
import { RawEvent } from './schema';
import { topicsFor } from './topics';

/**
 * Bot verdicts by user agent, kept while there are at most this many: the events of a batch,
 * and most of a site's traffic, share a few agents, and matching one against isbot's pattern
 * was a good part of normalising an event. Forgotten all at once when full.
 */
const MAX_REMEMBERED_AGENTS = 1_000;
const botAgents = new Map<string, boolean>();

function isBotAgent(userAgent: string): boolean {
  let verdict = botAgents.get(userAgent);
  if (verdict === undefined) {
    if (botAgents.size >= MAX_REMEMBERED_AGENTS) botAgents.clear();
    verdict = isbot(userAgent);
    botAgents.set(userAgent, verdict);
  }
  return verdict;
}

export interface CollectContext {
  site: Site;
  signals: SignalsConfig;
  /** The configured topic ids (`configuredTopics`): declared topics outside them do not count. */
  topics: ReadonlySet<string>;
  /** 'verified': sent with the site's server write key; 'browser': with its public key. */
  source: EventSource;
  receivedAt: Date;
  hashSecret: string;
  /** Address and agent of the HTTP request, used when the event's context lacks them. */
  requestIp?: string;
  requestUserAgent?: string;
}

export type DropReason = 'bot' | 'consent';
/**
 * A claim a public-key (browser) event made that it may not make, left out of the event:
 * `ip` a `context.ip`, `domain` a `traits.domain` or `traits.website`, `group` a group call's
 * account link (the last two unless the site sets `trustBrowserTraits`).
 */
export type IgnoredClaim = 'ip' | 'domain' | 'group';
export type Outcome =
  /**
   * `ignoredTopics`: the topic ids the event declared that it does not count (see `topicsFor`);
   * `ignoredClaims`: what it asserted without the right to (see `IgnoredClaim`).
   */
  | { kind: 'accepted'; message: IngestMessage; ignoredTopics: number; ignoredClaims: IgnoredClaim[] }
  | { kind: 'dropped'; reason: DropReason; messageId?: string }
  | { kind: 'rejected'; code: RejectionCode; message: string; messageId?: string };
export type RejectionCode = 'invalid_event' | 'unknown_event' | 'timestamp_out_of_range' | 'missing_identity';

const MAX_PAST_MS = EVENT_HISTORY_DAYS * DAY_MS;
const MAX_FUTURE_MS = DAY_MS;
const BUILT_IN = new Set<string>(TRACK_SIGNALS);

/** Validates and enriches one event: accepted (with the queue message), dropped, or rejected with a reason. */
export function normalizeEvent(input: unknown, ctx: CollectContext): Outcome {
  const parsed = RawEvent.safeParse(input);
  const messageId = messageIdOf(input);
  if (!parsed.success) {
    return { kind: 'rejected', code: 'invalid_event', message: describe(parsed.error), messageId };
  }
  const event = parsed.data;
  if (!event.anonymousId && !event.userId) {
    return { kind: 'rejected', code: 'missing_identity', message: 'anonymousId or userId is required', messageId };
  }
  const signal = signalOf(event, ctx.signals);
  if (signal === 'unknown') {
    return {
      kind: 'rejected',
      code: 'unknown_event',
      message: `event "${event.event ?? ''}" is neither built in nor mapped in signals.eventMap`,
      messageId,
    };
  }
  const timestamp = correctedTimestamp(event, ctx.receivedAt);
  const skew = timestamp.getTime() - ctx.receivedAt.getTime();
  // NaN (a correction that left Date's range) fails both comparisons: test it explicitly.
  if (!(skew >= -MAX_PAST_MS && skew <= MAX_FUTURE_MS)) {
    return {
      kind: 'rejected',
      code: 'timestamp_out_of_range',
      message: `timestamp is more than ${EVENT_HISTORY_DAYS} days in the past or 24 hours in the future`,
      messageId,
    };
  }
  const userAgent = event.context?.userAgent ?? ctx.requestUserAgent;
  if (userAgent && isBotAgent(userAgent)) return { kind: 'dropped', reason: 'bot', messageId };
  if (ctx.site.consentRequired && !consentGranted(event.context?.consent)) {
    return { kind: 'dropped', reason: 'consent', messageId };
  }

  const url = event.properties?.url ?? event.context?.page?.url;
  const userHash = event.userId ? keyedHash(ctx.hashSecret, `user:${event.userId}`) : undefined;
  const topics = topicsFor(ctx.site, ctx.topics, url, event.properties?.topics);
  const claims = trustedClaims(event, ctx);
  return {
    kind: 'accepted',
    ignoredTopics: topics.ignored,
    ignoredClaims: claims.ignored,
    message: {
      v: 1,
      id: keyedHash(ctx.hashSecret, `msg:${ctx.site.id}:${event.messageId}`, 12),
      siteId: ctx.site.id,
      messageId: event.messageId,
      type: event.type,
      signal,
      anonymousId: event.anonymousId,
      userHash,
      // The browser is the person from its first anonymous event on: identifying with a user id
      // later must not make it a second one. A user id alone is resolved further by the rollup.
      person: event.anonymousId ? visitorPerson(ctx.hashSecret, event.anonymousId) : (userHash ?? ''),
      timestamp: timestamp.toISOString(),
      receivedAt: ctx.receivedAt.toISOString(),
      topics: topics.topics,
      url: url ? stripQuery(url) : undefined,
      identity: claims.identity,
      ip: claims.ip,
      source: ctx.source,
    },
  };
}

/**
 * The account hints and address an event may assert. The public write key is in every page,
 * so a public-key event's `context.ip` (which would claim a company's IP range) is never
 * taken: its address is the request's own. Its `traits.domain` and group calls (which would
 * link the visitor to any account) count only where the site trusts browser traits. A work
 * email's domain is always taken: that is how a browser identifies.
 */
function trustedClaims(
  event: RawEvent,
  ctx: CollectContext,
): { identity: IngestMessage['identity']; ip: string | undefined; ignored: IgnoredClaim[] } {
  const ignored: IgnoredClaim[] = [];
  const verified = ctx.source === 'verified';
  const claimedIp = event.context?.ip;
  if (claimedIp && !verified) ignored.push('ip');
  const ip = verified ? (claimedIp ?? ctx.requestIp) : ctx.requestIp;
  const identity = identityOf(event, ctx.hashSecret);
  if (!identity || verified || ctx.site.trustBrowserTraits) return { identity, ip, ignored };
  if (event.type === 'group') {
    if (identity.domain || identity.emailDomain) ignored.push('group');
    return { identity: undefined, ip, ignored };
  }
  if (!identity.domain) return { identity, ip, ignored };
  ignored.push('domain');
  const { domain: _untrusted, ...rest } = identity;
  return { identity: rest, ip, ignored };
}

function signalOf(event: RawEvent, signals: SignalsConfig): Signal | undefined | 'unknown' {
  if (event.type === 'page') return 'page_view';
  if (event.type !== 'track') return undefined;
  const name = event.event ?? '';
  if (BUILT_IN.has(name)) return name as Signal;
  // Own keys only: a name like `__proto__` or `constructor` must not find Object.prototype.
  return Object.hasOwn(signals.eventMap, name) ? (signals.eventMap[name] as Signal) : 'unknown';
}

/** The client's clock may be off: shift its timestamp by the difference between sentAt and our receipt. */
function correctedTimestamp(event: RawEvent, receivedAt: Date): Date {
  const ts = event.timestamp ?? event.originalTimestamp;
  if (!ts) return receivedAt;
  if (!event.sentAt) return ts;
  return new Date(ts.getTime() + (receivedAt.getTime() - event.sentAt.getTime()));
}

function consentGranted(consent: unknown): boolean {
  if (consent === true || consent === 'granted') return true;
  if (consent && typeof consent === 'object' && 'categoryPreferences' in consent) {
    const prefs = (consent as { categoryPreferences?: Record<string, boolean> }).categoryPreferences ?? {};
    return Object.values(prefs).some(Boolean);
  }
  return false;
}

function identityOf(event: RawEvent, secret: string): IngestMessage['identity'] {
  if (event.type !== 'identify' && event.type !== 'group') return undefined;
  const traits = { ...event.context?.traits, ...event.traits };
  const email = traits.email?.trim().toLowerCase();
  const emailDomain = email?.includes('@') ? normalizeDomain(email.split('@').pop() ?? '') : undefined;
  const company = typeof traits.company === 'string' ? traits.company : traits.company?.name;
  const domain = normalizeDomain(traits.domain ?? traits.website ?? '');
  return {
    emailDomain: emailDomain && !isFreeMailDomain(emailDomain) ? emailDomain : undefined,
    emailHash: email ? keyedHash(secret, `email:${email}`) : undefined,
    domain,
    company: company ?? (event.type === 'group' ? traits.name : undefined),
  };
}

function stripQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

function messageIdOf(input: unknown): string | undefined {
  const id = (input as { messageId?: unknown } | null)?.messageId;
  return typeof id === 'string' ? id : undefined;
}

/** Zod issues as one sentence that names each offending field path. */
export function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(event)'}: ${issue.message}`)
    .join('; ');
}

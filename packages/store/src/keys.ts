import { createHash } from 'node:crypto';
import { CONFIG_PARTITION_KEY, DESTINATION_PARTITION_PREFIX, RATE_PARTITION_PREFIX } from '@intent/resources';

/**
 * Every key format of the single table lives here, and only here: the rest of the code asks
 * the repositories for accounts, rollups and keys, and never sees a `pk`.
 * Versioned prefixes are not needed yet; a change of format adds one (e.g. `R2#`).
 */

export const configKey = (section: string) => ({ pk: CONFIG_PARTITION_KEY, sk: section });
/**
 * A configuration section's history: one item per revision (`CFGREV#<section>` / the revision
 * as 12 digits), so a section's revisions list newest first with one Query.
 */
export const configRevisionPk = (section: string) => `CFGREV#${section}`;
export const configRevisionSk = (revision: number) => String(revision).padStart(12, '0');
export const configRevisionKey = (section: string, revision: number) => ({
  pk: configRevisionPk(section),
  sk: configRevisionSk(revision),
});

/** The domains a visitor or client address (`subject`) claimed on one day. */
export const domainClaimsKey = (subject: string, day: string) => ({ pk: `DCLAIMS#${subject}`, sk: day });
/** The subject of a domain claim: a visitor, or a client address. */
export const claimSubject = (kind: 'visitor' | 'address', id: string) => `${kind === 'visitor' ? 'v' : 'a'}#${id}`;

/** A rate-limit bucket: a site's write key of one kind, or a site's client address. */
export const rateBucketOf = (kind: 'key' | 'address', siteId: string, of: string) =>
  `${kind === 'key' ? 'key' : 'addr'}#${siteId}#${of}`;

/** A rate limiter's count for one bucket (a write key, or a site and client address) and window. */
export const rateWindowKey = (bucket: string, window: number) => ({
  pk: `${RATE_PARTITION_PREFIX}${bucket}`,
  sk: String(window),
});

export const apiKeyByHash = (hash: string) => ({ pk: `APIKEY#${hash}`, sk: 'KEY' });
/** The listing of API keys: one partition, small by nature (a handful of keys per deployment). */
export const apiKeyListing = (id: string) => ({ pk: 'APIKEYS', sk: id });
export const API_KEY_LISTING_PK = 'APIKEYS';

export const visitorPk = (anonymousId: string) => `VISITOR#${anonymousId}`;
export const visitorKey = (anonymousId: string) => ({ pk: visitorPk(anonymousId), sk: 'LINK' });
export const userKey = (userHash: string) => ({ pk: `USER#${userHash}`, sk: 'LINK' });
/** Which visitor or user a link item belongs to. */
/**
 * The register of erased visitors, one item per erasure in time order (`<at>#<anonymousId>`):
 * consumers keep the whole set in memory and read only its newest entries per batch, so a page
 * view (which never reads its visitor's link) still knows its visitor was erased.
 */
export const ERASED_PK = 'ERASED';
export const erasedEntryKey = (at: string, anonymousId: string) => ({ pk: ERASED_PK, sk: `${at}#${anonymousId}` });
export const erasedEntryId = (sk: string) => sk.slice(sk.indexOf('#') + 1);

export function parseLinkPk(pk: string): { kind: 'visitor' | 'user'; id: string } {
  const [prefix = '', ...id] = pk.split('#');
  return { kind: prefix === 'USER' ? 'user' : 'visitor', id: id.join('#') };
}

const ACCOUNT_PK_PREFIX = 'ACCT#';
export const accountPk = (domain: string) => `${ACCOUNT_PK_PREFIX}${domain}`;
export const accountDomainOf = (pk: string) => pk.slice(ACCOUNT_PK_PREFIX.length);
export const accountKey = (domain: string) => ({ pk: accountPk(domain), sk: 'A' });
export const ROLLUP_PREFIX = 'R#';
/** An account's rollup of one day, every topic in it. */
export const rollupKey = (domain: string, day: string) => ({ pk: accountPk(domain), sk: `${ROLLUP_PREFIX}${day}` });
export const rollupDay = (sk: string) => sk.slice(ROLLUP_PREFIX.length, ROLLUP_PREFIX.length + 10);
/** A rollup's counter of one signal and topic: every event (`c`), identified (`i`), verified hand-raises (`v`). */
export const rollupCountAttr = (kind: 'c' | 'i' | 'v', signal: string, topic: string) => `${kind}#${signal}#${topic}`;
/** A rollup's sample of the people behind a topic. */
export const rollupPeopleAttr = (topic: string) => `p#${topic}`;
/** A rollup attribute's parts: [kind, signal, topic] of a counter, [p, topic] of a people sample. */
export const parseRollupAttr = (attr: string) => attr.split('#');

/** Where the ids of a counter's events of one hour go once they leave the counter: one page per move. */
export const seenPrefix = (key: { sk: string }, slot: string) => `S#${key.sk}#${slot}#`;
/**
 * Unresolved visitors' engaged events, kept for stitching: one item per visitor and day
 * (`PV#<visitorTag>` / `D#<day>`), so stitching reads only the visitor's own days (one Query)
 * and erasure deletes them, however many anonymous visitors a site has. A live batch writes one
 * item per anonymous visitor with engaged events in it (about what a shard per batch cost at
 * live batch sizes); a day's item holds at most PENDING_VISITOR_DAY_ENTRIES events.
 */
export const visitorTag = (anonymousId: string) => createHash('sha256').update(anonymousId).digest('base64url').slice(0, 12);
/**
 * Engaged events kept per visitor and day: a reader's day many times over. Beyond, a visitor's
 * further events of that day are left out of stitching (a crawler's, most likely) and counted
 * as left out. At most ~1.3 KB an entry (20 topics of 63 characters): under 140 KB; typically
 * ~60 bytes, so a visitor's busy day is a few KB.
 */
export const PENDING_VISITOR_DAY_ENTRIES = 100;
const PENDING_DAY_PREFIX = 'D#';
export const pendingKey = (anonymousId: string, day: string) => ({
  pk: `PV#${visitorTag(anonymousId)}`,
  sk: `${PENDING_DAY_PREFIX}${day}`,
});
export const pendingDay = (sk: string) => sk.slice(PENDING_DAY_PREFIX.length, PENDING_DAY_PREFIX.length + 10);
/** The query for a visitor's pending days `fromDay` to `toDay`. */
export function visitorPendingQuery(anonymousId: string, fromDay: string, toDay: string) {
  return {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': { S: pendingKey(anonymousId, fromDay).pk },
      ':from': { S: `${PENDING_DAY_PREFIX}${fromDay}` },
      ':to': { S: `${PENDING_DAY_PREFIX}${toDay}` },
    },
  };
}

/** The string set of a visitor's pending day that holds its entries. */
export const PENDING_ENTRIES = 'ev';
export function pendingEntriesOf(item: Record<string, unknown>): string[] {
  const entries = item[PENDING_ENTRIES];
  return entries instanceof Set ? [...entries].filter((e): e is string => typeof e === 'string') : [];
}

/** One pending event, as a set member of its visitor's day: `eventId|signal|topics|person|slot`. */
export interface PendingEntry {
  id: string;
  signal: string;
  topics: string[];
  person: string;
  /** The event's UTC hour: where its id goes in the account's seen pages once stitched. */
  slot: string;
}
export const pendingEntry = (e: PendingEntry) => [e.id, e.signal, e.topics.join(','), e.person, e.slot].join('|');
export function parsePendingEntry(entry: string): PendingEntry {
  const [id = '', signal = '', topics = '', person = '', slot = '00'] = entry.split('|');
  return { id, signal, topics: topics.split(',').filter(Boolean), person, slot };
}

/** The sparse pod-queue index: present on an account item only while it sits in a pod queue. */
export const podQueuePk = (podId: string) => `QUEUE#${podId}`;
/**
 * Sorts highest priority first: the index sorts ascending, so store 1000 - priority*10 padded.
 * Priority has one decimal and lies in 0..100.
 */
export function podQueueSk(priority: number, domain: string): string {
  const inverted = 1000 - Math.round(Math.min(100, Math.max(0, priority)) * 10);
  return `${String(inverted).padStart(4, '0')}#${domain}`;
}

/** Whether `sk` has the shape `podQueueSk` gives `domain` (any priority). */
export function isPodQueueSkOf(sk: string, domain: string): boolean {
  return /^\d{4}#/.test(sk) && sk.slice(5) === domain;
}

/** A stable small hash of a domain: which shard of a sharded listing it belongs to. */
function shardOf(domain: string, shards: number): number {
  let h = 0;
  for (const ch of domain) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % shards;
}

/**
 * The scored-accounts index (gsi2) holds every account with a score, in two sharded halves:
 * `LIVE#<shard>` while it has live intent or a queue place (what the decay walk re-scores) and
 * `COLD#<shard>` otherwise. Together they are every scored account, which is what a change of
 * audience definitions evaluates. Shards keep any one partition from running hot.
 */
export const LIVE_SHARDS = 8;
export function liveShardPk(domain: string): string {
  return `LIVE#${shardOf(domain, LIVE_SHARDS)}`;
}
export const liveShardPkOf = (shard: number) => `LIVE#${shard}`;
export function coldShardPk(domain: string): string {
  return `COLD#${shardOf(domain, LIVE_SHARDS)}`;
}
export const coldShardPkOf = (shard: number) => `COLD#${shard}`;

/**
 * The listing of accounts with firmographics (what `PUT /v1/accounts` stored), a copy of each
 * account's firmographics under `ACCTS#<shard>`/`<domain>`: the whole base in a few queries,
 * without a Scan, for the ICP suggestion. Sharded so a bulk upload spreads its writes.
 */
export const FIRMOGRAPHICS_SHARDS = 8;
export const firmographicsListingKey = (domain: string) => ({
  pk: `ACCTS#${shardOf(domain, FIRMOGRAPHICS_SHARDS)}`,
  sk: domain,
});
export const firmographicsListingPkOf = (shard: number) => `ACCTS#${shard}`;

/** SDR feedback on an account, in time order inside the account's partition. */
export const FEEDBACK_PREFIX = 'F#';
export const feedbackKey = (domain: string, at: string, id: string) => ({
  pk: accountPk(domain),
  sk: `${FEEDBACK_PREFIX}${at}#${id}`,
});

/** Accounts with `closed_won` feedback: a small partition, what the ICP suggestion starts from. */
export const WON_PK = 'WON';
export const wonKey = (domain: string) => ({ pk: WON_PK, sk: domain });

/**
 * One item per time an account entered a pod queue (a push), in time order per pod: what the
 * alignment metrics read for a window. `pushedAt` is an ISO instant, so the sort key orders.
 */
export const pushPk = (podId: string) => `PUSH#${podId}`;
export const pushKey = (podId: string, pushedAt: string, domain: string) => ({
  pk: pushPk(podId),
  sk: `${pushedAt}#${domain}`,
});

/**
 * The account's own index of its pushes (`P#<pushedAt>#<podId>`, in its partition): which push
 * a later piece of feedback joins (the latest before it), even after the account left the queue.
 */
const PUSH_POINTER_PREFIX = 'P#';
export const pushPointerKey = (domain: string, pushedAt: string, podId: string) => ({
  pk: accountPk(domain),
  sk: `${PUSH_POINTER_PREFIX}${pushedAt}#${podId}`,
});
/** The query for an account's latest push at or before `at` (an ISO instant). */
export const latestPushPointerQuery = (domain: string, at: string) => ({
  KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
  ExpressionAttributeValues: { ':pk': accountPk(domain), ':from': PUSH_POINTER_PREFIX, ':to': `${PUSH_POINTER_PREFIX}${at}#~` },
  ScanIndexForward: false,
  Limit: 1,
});

/** A site's activity on one UTC day: topic trends and ingestion counters. */
export const sitePk = (siteId: string) => `SITE#${siteId}`;
export const siteDaySk = (day: string) => `D#${day}`;
export const siteDayKey = (siteId: string, day: string) => ({ pk: sitePk(siteId), sk: siteDaySk(day) });
/** The day (`YYYY-MM-DD`) of a site day's sort key. */
export const siteDayOf = (sk: string) => sk.slice(2, 12);

export const IP_RANGES_PK = 'IPRANGES';
export const ipRangeKey = (cidr: string) => ({ pk: IP_RANGES_PK, sk: cidr });

/**
 * Marketing audiences, one partition each: `META` (log sequence and member count), one
 * `M#<domain>` item per account that ever was a member (kept with `member: false` after it
 * leaves, so its version guards against an older writer re-adding it), and the change log
 * `L#<12-digit sequence>` in the order changes were numbered.
 */
export const audiencePk = (audienceId: string) => `AUD#${audienceId}`;
export const audienceMetaKey = (audienceId: string) => ({ pk: audiencePk(audienceId), sk: 'META' });
export const audienceIdOf = (pk: string) => pk.slice('AUD#'.length);
export const AUDIENCE_MEMBER_PREFIX = 'M#';
export const audienceMemberKey = (audienceId: string, domain: string) => ({
  pk: audiencePk(audienceId),
  sk: `${AUDIENCE_MEMBER_PREFIX}${domain}`,
});
export const AUDIENCE_LOG_PREFIX = 'L#';
export const audienceLogSk = (seq: number) => `${AUDIENCE_LOG_PREFIX}${String(seq).padStart(12, '0')}`;
export const audienceLogKey = (audienceId: string, seq: number) => ({ pk: audiencePk(audienceId), sk: audienceLogSk(seq) });
export const parseAudienceLogSk = (sk: string) => Number(sk.slice(AUDIENCE_LOG_PREFIX.length));

// ---------------------------------------------------------------------------------------------
// Resumable jobs (walks over many accounts). Added apart from the keys above on purpose: those
// are being reworked elsewhere; this block only adds.

/** A job's one item: what it walks, each shard's position, its counters and its status. */
export const jobKey = (id: string) => ({ pk: `JOB#${id}`, sk: 'JOB' });
/** Per kind of job, the id of the latest one started: a newer job of the kind supersedes it. */
export const latestJobKey = (kind: string) => ({ pk: 'JOBS', sk: `LATEST#${kind}` });
/**
 * Where a walk of the scored-accounts index (gsi2) resumes: the index keys and the table keys
 * of the last account it did, as the ExclusiveStartKey of the next Query of that shard.
 */
export const scoredIndexPosition = (gsi2pk: string, domain: string) => ({
  gsi2pk,
  gsi2sk: domain,
  ...accountKey(domain),
});
/** Where a walk of an audience's member items resumes: the last member item's key. */
export const audienceMemberPosition = (audienceId: string, domain: string) => audienceMemberKey(audienceId, domain);

/**
 * A destination's partition (`DEST#<id>`): one stream head per account (`S#<domain>`: where its
 * undelivered events start, the lease of the delivery in progress, the retry wake) and its events
 * (`E#<domain>#<at>#<rank>#<eventId>`), so one account's events sort in the order they are
 * delivered: by the time of the change, and within one time by `rank` (a leave before a join).
 */
export const destinationPk = (destinationId: string) => `${DESTINATION_PARTITION_PREFIX}${destinationId}`;
export const DELIVERY_EVENT_PREFIX = 'E#';
export const deliveryStreamKey = (destinationId: string, domain: string) => ({
  pk: destinationPk(destinationId),
  sk: `S#${domain}`,
});
export const deliveryStreamPrefix = (domain: string) => `${DELIVERY_EVENT_PREFIX}${domain}#`;
export const deliveryEventKey = (destinationId: string, domain: string, at: string, rank: number, eventId: string) => ({
  pk: destinationPk(destinationId),
  sk: `${deliveryStreamPrefix(domain)}${at}#${rank}#${eventId}`,
});

/**
 * Why the rollup consumer failed an ingest message, by its SQS message id (which SQS keeps when
 * it moves the message to the dead-letter queue): what `npm run dlq` shows beside each one.
 */
export const ingestFailureKey = (messageId: string) => ({ pk: `INGESTFAIL#${messageId}`, sk: 'F' });

import type { QueryCommandInput } from '@aws-sdk/client-dynamodb';
import type { ScoredAccount } from '@intent/audiences';
import type { AccountRecord, OutboxEntry, ScoreSnapshot } from '@intent/qualify';
import { POD_QUEUE_INDEX, SCORED_INDEX } from '@intent/resources';
import { accountAudienceView, accountEntity, accountScoredKeyView, packScore } from './account-entity';
import {
  accountDomainOf,
  accountKey,
  coldShardPk,
  coldShardPkOf,
  isPodQueueSkOf,
  LIVE_SHARDS,
  liveShardPk,
  liveShardPkOf,
  podQueuePk,
  podQueueSk,
  scoredIndexPosition,
} from './keys';
import { chunksOf, forEachLimited } from './limited';
import { assignments, type Projection, positionOf, type Table, toAttr } from './table';

/** Where the account sits in a pod queue, if it does. */
export interface QueuePlacement {
  podId: string;
  priority: number;
}

export interface QueuePage {
  accounts: AccountRecord[];
  nextCursor?: string;
}

/**
 * The parts of a scored account that audience membership is decided from (the filters and the
 * exported member fields), as `audienceInputs` reads them: never the whole item.
 */
export interface AudienceInputs {
  domain: string;
  version: number;
  firmographics?: { name?: string; industry?: string; country?: string };
  score: ScoredAccount & { audiences?: string[] };
  hold?: { outcome?: string };
  /** Listed in the scored-accounts index (every score saved since the index held cold accounts is). */
  indexed: boolean;
}

/** One shard of the scored-accounts index: its live half (what the decay walk re-scores) or its cold half. */
export interface ScoredShard {
  half: 'live' | 'cold';
  shard: number;
}

/** Every shard of the given halves of the scored-accounts index. */
export function scoredShards(halves: ScoredShard['half'][]): ScoredShard[] {
  return halves.flatMap((half) => Array.from({ length: LIVE_SHARDS }, (_, shard) => ({ half, shard })));
}

/**
 * Where a walk resumes: an opaque key (what DynamoDB's ExclusiveStartKey takes), kept in job
 * messages and job items as it is.
 */
export type WalkPosition = Record<string, string>;

/** One page of a walk: domains in order, each with the position just after it, and where the next page starts. */
export interface WalkPage {
  items: { domain: string; after: WalkPosition }[];
  /** Absent: the walk is over. */
  next?: WalkPosition;
}

const AUDIENCE_INPUTS: Projection = {
  expression: [
    'pk',
    '#domain',
    '#version',
    '#s.#fit.#tier',
    '#s.#intent.#stage',
    '#s.#intent.#topics',
    '#s.#priority',
    '#s.#pod',
    '#s.#audiences',
    '#f.#name',
    '#f.#industry',
    '#f.#country',
    '#hold.#outcome',
    'gsi2pk',
  ].join(', '),
  names: Object.fromEntries(
    [
      'domain',
      'version',
      's',
      'fit',
      'tier',
      'intent',
      'stage',
      'topics',
      'priority',
      'pod',
      'audiences',
      'f',
      'name',
      'industry',
      'country',
      'hold',
      'outcome',
    ].map((n) => ['#'.concat(n), n]),
  ),
};

export class AccountRepository {
  constructor(private readonly table: Table) {}

  async get(domain: string, consistent = false): Promise<AccountRecord | undefined> {
    const item = await this.table.get(accountKey(domain), consistent);
    return item ? toRecord(item) : undefined;
  }

  /** Many accounts in batch reads (100 per call), by domain; an unknown domain is absent. */
  async getMany(domains: string[], consistent = false): Promise<Map<string, AccountRecord>> {
    const items = await this.table.getMany([...new Set(domains)].map(accountKey), consistent);
    return new Map(items.map((item) => toRecord(item)).map((record) => [record.domain, record]));
  }

  /**
   * Saves a score only if nobody saved another since `expectedVersion` was read: two
   * consumers re-scoring the same account cannot overwrite a newer score with an older one.
   * `outbox`: every message still to send for the account (those read with the version and the
   * new ones), written in the same item write, so the change and its messages persist together.
   */
  async saveScore(
    domain: string,
    score: ScoreSnapshot,
    placement: QueuePlacement | undefined,
    expectedVersion: number,
    outbox: OutboxEntry[] = [],
  ): Promise<'saved' | 'conflict'> {
    const { set, remove } = scoreFields(domain, score, placement, outbox);
    const saved = await this.table.updateIf(accountKey(domain), {
      ...assignments(set, remove, {
        set: ['version = :next'],
        values: { ':next': expectedVersion + 1, ...(expectedVersion === 0 ? {} : { ':v': expectedVersion }) },
      }),
      ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(version)' : 'version = :v',
    });
    return saved ? 'saved' : 'conflict';
  }

  /**
   * Seeding for benchmarks and fixtures: writes each account as `saveScore(domain, score,
   * placement, 0)` leaves an account that had no item (the same fields, version 1), but as
   * unconditional puts in BatchWriteItem calls of 25, a few calls in flight. It overwrites
   * whatever the keys held, so it is no substitute for `saveScore` on live data.
   */
  async seedScores(entries: { domain: string; score: ScoreSnapshot; placement?: QueuePlacement }[], inFlight = 8): Promise<void> {
    const items = entries.map(({ domain, score, placement }) => ({
      ...accountKey(domain),
      ...scoreFields(domain, score, placement, []).set,
      version: 1,
    }));
    await forEachLimited(chunksOf(items, 25), inFlight, (batch) => this.table.writeMany(batch));
  }

  /** Domains of every account with live intent or a queue place (the live half of gsi2): what the decay schedule re-scores. */
  async liveDomains(): Promise<string[]> {
    const shards = await Promise.all(
      Array.from({ length: LIVE_SHARDS }, (_, shard) =>
        this.table.queryAll({
          IndexName: SCORED_INDEX,
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: toAttr({ ':pk': liveShardPkOf(shard) }),
          ProjectionExpression: 'gsi2sk',
        }),
      ),
    );
    return shards.flat().map((item) => accountScoredKeyView.parse(item).domain);
  }

  /**
   * One page of a shard of the scored-accounts index, in domain order, from `start` (a position
   * this method gave out) on: `limit` keys at most, one keys-only Query.
   */
  async scoredPage(ref: ScoredShard, limit: number, start?: WalkPosition): Promise<WalkPage> {
    const gsi2pk = ref.half === 'live' ? liveShardPkOf(ref.shard) : coldShardPkOf(ref.shard);
    const page = await this.table.queryPage({
      IndexName: SCORED_INDEX,
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: toAttr({ ':pk': gsi2pk }),
      ProjectionExpression: 'gsi2sk',
      Limit: limit,
      ExclusiveStartKey: start ? toAttr(start) : undefined,
    });
    return {
      items: page.items.map((item) => {
        const { domain } = accountScoredKeyView.parse(item);
        return { domain, after: scoredIndexPosition(gsi2pk, domain) };
      }),
      next: page.lastKey ? positionOf(page.lastKey) : undefined,
    };
  }

  /** Domains of every scored account, live or cold: one keys-only Query per shard of gsi2, in parallel. */
  async scoredDomains(): Promise<string[]> {
    return (await this.scoredShards({ ProjectionExpression: 'gsi2sk' })).map((item) => accountScoredKeyView.parse(item).domain);
  }

  /** Every item of the scored-accounts index (gsi2, live and cold halves), one Query per shard in parallel. */
  private async scoredShards(projection: Pick<QueryCommandInput, 'ProjectionExpression' | 'ExpressionAttributeNames'>) {
    const partitions = Array.from({ length: LIVE_SHARDS }, (_, shard) => [liveShardPkOf(shard), coldShardPkOf(shard)]).flat();
    const pages = await Promise.all(
      partitions.map((pk) =>
        this.table.queryAll({
          IndexName: SCORED_INDEX,
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: toAttr({ ':pk': pk }),
          ...projection,
        }),
      ),
    );
    return pages.flat();
  }

  /** The same for named accounts, read consistently from the table (absent or unscored: left out). */
  async audienceInputs(domains: string[], inFlight = 8): Promise<AudienceInputs[]> {
    return (await this.table.getMany(domains.map(accountKey), true, AUDIENCE_INPUTS, inFlight)).flatMap(toAudienceInputs);
  }

  /**
   * Sets only the audiences of the saved score, if the account is still at `expectedVersion`
   * (its score is the one they were evaluated on). The version stays: nothing a score is
   * computed from changed, so a re-score in flight is not made to start over.
   */
  async setAudiences(domain: string, audiences: string[], expectedVersion: number): Promise<'saved' | 'conflict'> {
    const saved = await this.table.updateIf(accountKey(domain), {
      UpdateExpression: 'SET #s.#audiences = :a',
      ConditionExpression: 'attribute_exists(#s) AND #version = :v',
      ExpressionAttributeNames: { '#s': 's', '#audiences': 'audiences', '#version': 'version' },
      ExpressionAttributeValues: toAttr({ ':a': audiences, ':v': expectedVersion }),
    });
    return saved ? 'saved' : 'conflict';
  }

  /**
   * One page of a pod queue, highest priority first; the cursor is opaque to callers. The index
   * holds keys only (a score save then writes it only when the account's place moves), so the
   * page's accounts are read from the table: an account that left the pod since the index
   * was written is left out.
   */
  async podQueue(podId: string, limit: number, cursor?: string): Promise<QueuePage> {
    const page = await this.table.queryPage({
      IndexName: POD_QUEUE_INDEX,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: toAttr({ ':pk': podQueuePk(podId) }),
      Limit: limit,
      ExclusiveStartKey: cursor ? toAttr(decodeCursor(cursor, podId)) : undefined,
    });
    const domains = page.items.map((item) => accountDomainOf(String(item.pk)));
    const records = await this.getMany(domains, true);
    return {
      accounts: domains.flatMap((domain) => {
        const record = records.get(domain);
        return record?.score?.queuedIn === podId ? [record] : [];
      }),
      nextCursor: page.lastKey ? encodeCursor(page.lastKey) : undefined,
    };
  }
}

export class InvalidCursorError extends Error {
  constructor() {
    super('the cursor is not one this API gave out');
  }
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The index position a cursor names, only if it is one this pod's queue could have given out:
 * exactly the table's and the index's keys, of this pod, naming an account. DynamoDB refuses
 * any other start key (another pod's, a missing or mistyped key), which would surface as a 500.
 */
function decodeCursor(cursor: string, podId: string): Record<string, string> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (key && typeof key === 'object' && !Array.isArray(key)) {
      const names = Object.keys(key).sort().join(',');
      const { pk, sk, gsi1pk, gsi1sk } = key;
      const domain = typeof pk === 'string' ? accountDomainOf(pk) : '';
      if (
        names === 'gsi1pk,gsi1sk,pk,sk' &&
        domain &&
        pk === accountKey(domain).pk &&
        sk === accountKey(domain).sk &&
        gsi1pk === podQueuePk(podId) &&
        typeof gsi1sk === 'string' &&
        isPodQueueSkOf(gsi1sk, domain)
      )
        return key;
    }
  } catch {
    // fall through: a cursor we did not make
  }
  throw new InvalidCursorError();
}

/** The account item as the rest of the code sees it (also what ALL_OLD answers of its updates). */
export function toRecord(item: Record<string, unknown>): AccountRecord {
  const a = accountEntity.parse(item);
  return {
    domain: a.domain ?? accountDomainOf(a.pk),
    firmographics: a.f,
    score: a.s,
    claim: a.claim,
    hold: a.hold,
    lastFeedbackAt: a.fb,
    outbox: outboxOf(a.ob),
    version: a.version ?? 0,
  };
}

/** The messages an account item's outbox holds, oldest first. */
export function outboxOf(outbox: Record<string, OutboxEntry> | undefined): OutboxEntry[] {
  return Object.values(outbox ?? {}).sort((a, b) => a.at.localeCompare(b.at));
}

function toAudienceInputs(item: Record<string, unknown>): AudienceInputs[] {
  const { pk, domain, version, f, s: score, hold, gsi2pk } = accountAudienceView.parse(item);
  if (!score) return [];
  return [
    {
      domain: domain ?? accountDomainOf(pk),
      version: version ?? 0,
      firmographics: f,
      score,
      hold,
      indexed: gsi2pk !== undefined,
    },
  ];
}

/**
 * The fields a saved score sets on the account item, and the ones it removes: the pod queue
 * index (gsi1) while queued; the scored-accounts index (gsi2) always, in its live half while
 * live, queued or holding undelivered messages (the hourly decay walk visits the live half, and
 * its re-score sends what is left) and in its cold half otherwise; the outbox `ob` while it
 * holds messages, keyed by message id.
 */
function scoreFields(
  domain: string,
  score: ScoreSnapshot,
  placement: QueuePlacement | undefined,
  outbox: OutboxEntry[],
): { set: Record<string, unknown>; remove: string[] } {
  return {
    set: {
      s: packScore(score),
      domain,
      ...(placement ? { gsi1pk: podQueuePk(placement.podId), gsi1sk: podQueueSk(placement.priority, domain) } : {}),
      ...scoredIndexFields(domain, placement !== undefined || outbox.length > 0 || score.intent.stage !== 'cold'),
      ...(outbox.length ? { ob: Object.fromEntries(outbox.map((m) => [m.id, m])) } : {}),
    },
    remove: [...(placement ? [] : ['gsi1pk', 'gsi1sk']), ...(outbox.length ? [] : ['ob'])],
  };
}

/** The account's keys in the scored-accounts index (gsi2): its live half or its cold half. */
export function scoredIndexFields(domain: string, live: boolean) {
  return { gsi2pk: live ? liveShardPk(domain) : coldShardPk(domain), gsi2sk: domain };
}

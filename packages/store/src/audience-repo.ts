import type { AudienceMember, MemberState } from '@intent/audiences';
import type { z } from 'zod';
import type { WalkPage, WalkPosition } from './account-repo';
import {
  audienceCountersView,
  audienceLogEntity,
  audienceMemberDomainView,
  audienceMemberEntity,
  audienceMetaEntity,
} from './audience-entity';
import {
  AUDIENCE_LOG_PREFIX,
  AUDIENCE_MEMBER_PREFIX,
  audienceIdOf,
  audienceLogSk,
  audienceMemberPosition,
  audiencePk,
  parseAudienceLogSk,
} from './keys';
import { chunksOf, forEachLimited } from './limited';
import { keyOf, positionOf, type Table, toAttr } from './table';

/** One entry of an audience's change log; `none` fills a sequence number a writer abandoned. */
export interface LogEntry {
  seq: number;
  domain: string;
  name: string;
  op: 'add' | 'remove' | 'none';
  at: string;
  /** The (rev, ver) of the standing the change wrote: the order of one account's changes. */
  rev: number;
  ver: number;
}

/** A change to log in a block: its number and time come from the block's reservation. */
export type LogChange = Omit<LogEntry, 'seq' | 'at'> & { op: 'add' | 'remove' };

export type ApplyResult = 'added' | 'removed' | 'updated' | 'stale';

/** An account's standing in some audiences, and each audience's current definitions revision. */
export interface Standing {
  states: Map<string, MemberState>;
  revisions: Map<string, number>;
}

const MAX_LOG_ATTEMPTS = 5;
/**
 * A reserved block of log numbers is written with unconditional batch puts only this soon after
 * the reservation: well inside the time after which a reader gives an unwritten number up as
 * abandoned (2 minutes), so no reader can have filled one of them yet. Later, each entry is
 * written on its own, conditionally, and renumbered if a reader filled its number.
 */
const BLOCK_BATCH_WINDOW_MS = 60_000;
/** BatchWriteItem calls in flight while writing a block of log entries. */
const BLOCK_WRITES_IN_FLIGHT = 4;

/**
 * Audience membership, kept up to date by the re-scores: member items written only when an
 * account's standing or exported fields change, and a densely numbered change log that the
 * delta sync reads from a cursor.
 */
export class AudienceRepository {
  constructor(private readonly table: Table) {}

  /**
   * The account's stored standing in each of the given audiences (absent: never a member) and
   * each audience's definitions revision, in one batch read.
   */
  async standing(domain: string, audienceIds: string[]): Promise<Standing> {
    const items = await this.table.getMany([
      ...audienceIds.map((audienceId) => audienceMemberEntity.key({ audienceId, domain })),
      ...audienceIds.map(audienceMetaEntity.key),
    ]);
    const states = new Map<string, MemberState>();
    const revisions = new Map<string, number>();
    for (const item of items) {
      const { pk, sk } = keyOf(item);
      const id = audienceIdOf(pk);
      if (sk === audienceMetaEntity.key(id).sk) revisions.set(id, audienceMetaEntity.parse(item).rev ?? 0);
      else states.set(id, toState(audienceMemberEntity.parse(item)));
    }
    return { states, revisions };
  }

  /** The definitions revision each audience is materialised for (0: none recorded). */
  async revisions(audienceIds: string[]): Promise<Map<string, number>> {
    const items = await this.table.getMany(audienceIds.map(audienceMetaEntity.key), true);
    return new Map(items.map(audienceMetaEntity.parse).map(({ pk, rev }) => [audienceIdOf(pk), rev ?? 0]));
  }

  /**
   * Records that the audience is being materialised for definitions revision `rev`, unless a
   * newer revision already is (false). Writers holding older definitions read it and step back.
   */
  async claimRevision(audienceId: string, rev: number): Promise<boolean> {
    return this.table.updateIf(audienceMetaEntity.key(audienceId), {
      UpdateExpression: 'SET #rev = :r',
      ConditionExpression: 'attribute_not_exists(#rev) OR #rev <= :r',
      ExpressionAttributeNames: { '#rev': 'rev' },
      ExpressionAttributeValues: toAttr({ ':r': rev }),
    });
  }

  /** Records the audience as fully materialised for revision `rev`, unless a newer one was claimed since. */
  async markMaterialised(audienceId: string, rev: number): Promise<void> {
    await this.table.updateIf(audienceMetaEntity.key(audienceId), {
      UpdateExpression: 'SET #done = :r',
      ConditionExpression: '#rev = :r',
      ExpressionAttributeNames: { '#rev': 'rev', '#done': 'done' },
      ExpressionAttributeValues: toAttr({ ':r': rev }),
    });
  }

  /** The revision each audience was last fully materialised for (0: none recorded). */
  async materialised(audienceIds: string[]): Promise<Map<string, number>> {
    const items = await this.table.getMany(audienceIds.map(audienceMetaEntity.key), true);
    return new Map(items.map(audienceMetaEntity.parse).map(({ pk, done }) => [audienceIdOf(pk), done ?? 0]));
  }

  /** Every stored standing in the audience (members and former members), by domain. */
  async standings(audienceId: string): Promise<Map<string, MemberState>> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
      ExpressionAttributeValues: toAttr({ ':pk': audiencePk(audienceId), ':m': AUDIENCE_MEMBER_PREFIX }),
      ConsistentRead: true,
    });
    return new Map(items.map((item) => toState(audienceMemberEntity.parse(item))).map((state) => [state.domain, state]));
  }

  /**
   * Sets the account's standing, unless a newer one is stored ('stale'), and logs a change of
   * standing (bumping the member count).
   */
  async apply(audienceId: string, state: MemberState, at: string): Promise<ApplyResult> {
    const result = await this.setStanding(audienceId, state, at);
    if (result === 'added' || result === 'removed') {
      const op = result === 'added' ? 'add' : 'remove';
      await this.appendLog(
        audienceId,
        { domain: state.domain, name: state.view.name, op, at, rev: state.rev, ver: state.ver },
        result === 'added' ? 1 : -1,
      );
    }
    return result;
  }

  /**
   * Writes the account's standing unless a newer one (by definitions revision, then account
   * version) is stored: 'stale'. Answers whether it joined, left or stayed (exported fields
   * rewritten), from the item it replaced, so the caller logs exactly the real changes. It does
   * not log them: `apply` does, one by one; `appendLogBlock` for many.
   */
  async setStanding(audienceId: string, state: MemberState, at: string): Promise<ApplyResult> {
    // An item written before revisions has none: it counts as revision 0.
    const older = ['#rev < :r', '(#rev = :r AND #ver <= :v)'];
    older.push(state.rev > 0 ? 'attribute_not_exists(#rev)' : '(attribute_not_exists(#rev) AND #ver <= :v)');
    const replaced = await this.table.tryPut(
      {
        ...audienceMemberEntity.key({ audienceId, domain: state.domain }),
        domain: state.domain,
        member: state.member,
        rev: state.rev,
        ver: state.ver,
        m: state.view,
        at,
      },
      {
        ConditionExpression: ['attribute_not_exists(pk)', ...older].join(' OR '),
        ExpressionAttributeNames: { '#ver': 'ver', '#rev': 'rev' },
        ExpressionAttributeValues: toAttr({ ':v': state.ver, ':r': state.rev }),
        ReturnValues: 'ALL_OLD',
      },
    );
    if (!replaced) return 'stale';
    const old = replaced.attributes ? toState(audienceMemberEntity.parse(replaced.attributes)) : undefined;
    if ((old?.member ?? false) === state.member) return 'updated';
    return state.member ? 'added' : 'removed';
  }

  /**
   * Logs many changes of one audience with one counter update: reserves a block of sequence
   * numbers (and moves the member count by `sizeDelta`), then writes the entries with
   * BatchWriteItem, each stamped with the reservation time. Readers stop at the block's
   * unwritten numbers until they are written. Answers the reservation time (ISO 8601).
   */
  async appendLogBlock(audienceId: string, changes: LogChange[], sizeDelta: number, clock: () => Date): Promise<string> {
    if (changes.length === 0) return clock().toISOString();
    const last = await this.reserveSeqs(audienceId, changes.length, sizeDelta);
    const reserved = clock();
    const reservedAt = reserved.getTime();
    const at = reserved.toISOString();
    const first = last - changes.length + 1;
    const entries = changes.map((change, i) => ({ ...audienceLogEntity.key({ audienceId, seq: first + i }), ...change, at }));
    await forEachLimited(chunksOf(entries, 25), BLOCK_WRITES_IN_FLIGHT, async (chunk) => {
      if (clock().getTime() - reservedAt < BLOCK_BATCH_WINDOW_MS) {
        await this.table.writeMany(chunk);
        return;
      }
      for (const { pk: _pk, sk, ...change } of chunk) await this.writeLogEntry(audienceId, parseAudienceLogSk(sk), change);
    });
    return at;
  }

  /** Writes one change under its reserved number, or under a fresh one if a reader gave that up. */
  private async writeLogEntry(audienceId: string, seq: number, change: Omit<LogEntry, 'seq'>): Promise<void> {
    if (!(await this.putLogEntry(audienceId, seq, change))) await this.appendLog(audienceId, change, 0);
  }

  /**
   * Numbers the change (an atomic counter, so the log is dense) and writes it under that
   * number. If a reader gave the number up as abandoned meanwhile, the change takes the next.
   */
  private async appendLog(audienceId: string, entry: Omit<LogEntry, 'seq'>, sizeDelta: number): Promise<void> {
    for (let attempt = 0; attempt < MAX_LOG_ATTEMPTS; attempt++) {
      const seq = await this.reserveSeqs(audienceId, 1, attempt === 0 ? sizeDelta : 0);
      if (await this.putLogEntry(audienceId, seq, entry)) return;
    }
    throw new Error(`audience ${audienceId}: could not append to the change log`);
  }

  /** Writes a change under `seq` unless that number is taken (a reader gave it up): false. */
  private async putLogEntry(audienceId: string, seq: number, change: Omit<LogEntry, 'seq'>): Promise<boolean> {
    return this.table.putIf(
      { ...audienceLogEntity.key({ audienceId, seq }), ...change },
      { ConditionExpression: 'attribute_not_exists(pk)' },
    );
  }

  /** Reserves the next `count` log numbers and moves the member count by `sizeDelta`; answers the last number. */
  private async reserveSeqs(audienceId: string, count: number, sizeDelta: number): Promise<number> {
    const counters = await this.table.update(audienceMetaEntity.key(audienceId), {
      UpdateExpression: 'ADD #seq :n, #size :d',
      ExpressionAttributeNames: { '#seq': 'seq', '#size': 'size' },
      ExpressionAttributeValues: toAttr({ ':n': count, ':d': sizeDelta }),
      ReturnValues: 'UPDATED_NEW',
    });
    return audienceCountersView.parse(counters ?? {}).seq;
  }

  /** The last sequence number handed out and the member count. */
  async meta(audienceId: string): Promise<{ seq: number; size: number }> {
    const item = await this.table.get(audienceMetaEntity.key(audienceId), true);
    const { seq = 0, size = 0 } = item ? audienceMetaEntity.parse(item) : {};
    return { seq, size };
  }

  /** Log entries numbered after `seq`, in order (strongly consistent). */
  async logAfter(audienceId: string, seq: number): Promise<LogEntry[]> {
    return (await this.table.queryAll(logQuery(audienceId, seq))).map((item) => toLogEntry(audienceLogEntity.parse(item)));
  }

  /** Up to `limit` log entries numbered after `seq`, in order (strongly consistent): one Query. */
  async logPage(audienceId: string, seq: number, limit: number): Promise<LogEntry[]> {
    return (await this.table.queryPage({ ...logQuery(audienceId, seq), Limit: limit })).items.map((item) =>
      toLogEntry(audienceLogEntity.parse(item)),
    );
  }

  /** Marks a sequence number as abandoned, unless its change was written meanwhile. */
  async fillGap(audienceId: string, seq: number, at: string): Promise<void> {
    await this.table.putIf(
      { ...audienceLogEntity.key({ audienceId, seq }), op: 'none', at },
      { ConditionExpression: 'attribute_not_exists(pk)' },
    );
  }

  /** One page of current members, by domain; `startAfter` is the last domain of the page before. */
  async membersPage(
    audienceId: string,
    limit: number,
    startAfter?: string,
  ): Promise<{ members: AudienceMember[]; last?: string }> {
    const members: AudienceMember[] = [];
    let start = startAfter ? toAttr(audienceMemberEntity.key({ audienceId, domain: startAfter })) : undefined;
    // A filtered query may return short pages: keep reading until the page is full or done.
    while (members.length < limit) {
      const page = await this.table.queryPage({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
        FilterExpression: '#member = :t',
        ExpressionAttributeNames: { '#member': 'member' },
        ExpressionAttributeValues: toAttr({ ':pk': audiencePk(audienceId), ':m': AUDIENCE_MEMBER_PREFIX, ':t': true }),
        Limit: limit - members.length,
        ConsistentRead: true,
        ExclusiveStartKey: start,
      });
      members.push(...page.items.map((item) => audienceMemberEntity.parse(item).m));
      if (!page.lastKey) return { members };
      start = toAttr(page.lastKey);
    }
    const last = members.at(-1)?.domain;
    return last ? { members, last } : { members };
  }

  /**
   * One page of the domains of current members, in domain order, from `start` (a position this
   * method gave out) on; `limit` items read at most (fewer may be members). What a
   * re-materialisation walks to find members the scored-accounts index does not list.
   */
  async memberPage(audienceId: string, limit: number, start?: WalkPosition): Promise<WalkPage> {
    const page = await this.table.queryPage({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
      FilterExpression: '#member = :t',
      ProjectionExpression: '#domain',
      ExpressionAttributeNames: { '#member': 'member', '#domain': 'domain' },
      ExpressionAttributeValues: toAttr({ ':pk': audiencePk(audienceId), ':m': AUDIENCE_MEMBER_PREFIX, ':t': true }),
      Limit: limit,
      ExclusiveStartKey: start ? toAttr(start) : undefined,
    });
    return {
      items: page.items.map((item) => {
        const { domain } = audienceMemberDomainView.parse(item);
        return { domain, after: audienceMemberPosition(audienceId, domain) };
      }),
      next: page.lastKey ? positionOf(page.lastKey) : undefined,
    };
  }

  /**
   * The stored standing of each of these accounts in each of these audiences (absent: never a
   * member), by domain then audience: consistent batch reads, one item per pair.
   */
  async statesFor(domains: string[], audienceIds: string[]): Promise<Map<string, Map<string, MemberState>>> {
    const keys = domains.flatMap((domain) => audienceIds.map((audienceId) => audienceMemberEntity.key({ audienceId, domain })));
    const byDomain = new Map<string, Map<string, MemberState>>(domains.map((d) => [d, new Map()]));
    for (const item of await this.table.getMany(keys, true)) {
      const member = audienceMemberEntity.parse(item);
      byDomain.get(member.domain)?.set(audienceIdOf(member.pk), toState(member));
    }
    return byDomain;
  }

  /** Every current member (exports and re-materialisation). */
  async allMembers(audienceId: string): Promise<AudienceMember[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
      FilterExpression: '#member = :t',
      ExpressionAttributeNames: { '#member': 'member' },
      ExpressionAttributeValues: toAttr({ ':pk': audiencePk(audienceId), ':m': AUDIENCE_MEMBER_PREFIX, ':t': true }),
      ConsistentRead: true,
    });
    return items.map((item) => audienceMemberEntity.parse(item).m).sort((a, b) => a.domain.localeCompare(b.domain));
  }

  /** The current standing of these accounts in one audience. */
  async statesIn(audienceId: string, domains: string[]): Promise<Map<string, MemberState>> {
    const items = await this.table.getMany(domains.map((domain) => audienceMemberEntity.key({ audienceId, domain })));
    return new Map(items.map((item) => toState(audienceMemberEntity.parse(item))).map((state) => [state.domain, state]));
  }
}

function logQuery(audienceId: string, seq: number) {
  return {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: toAttr({
      ':pk': audiencePk(audienceId),
      ':from': audienceLogSk(seq + 1),
      ':to': `${AUDIENCE_LOG_PREFIX}~`,
    }),
    ConsistentRead: true,
  };
}

function toLogEntry({ sk, domain, name, op, at, rev, ver }: z.infer<typeof audienceLogEntity.attributes>): LogEntry {
  return { seq: parseAudienceLogSk(sk), domain: domain ?? '', name: name ?? domain ?? '', op, at, rev, ver };
}

function toState({ domain, member, rev, ver, m }: z.infer<typeof audienceMemberEntity.attributes>): MemberState {
  return { domain, member, rev, ver, view: m };
}

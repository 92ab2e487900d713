import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AudienceMember } from '@intent/audiences';
import { isConditionalCheckFailed } from './errors';
import {
  AUDIENCE_LOG_PREFIX,
  AUDIENCE_MEMBER_PREFIX,
  audienceLogKey,
  audienceLogSk,
  audienceMemberKey,
  audienceMetaKey,
  audiencePk,
  parseAudienceLogSk,
} from './keys';
import { type Table, toAttr } from './table';

/** An account's standing in one audience, as stored. */
export interface MemberState {
  domain: string;
  member: boolean;
  /** The account version that wrote it: an older writer never overwrites a newer one. */
  ver: number;
  view: AudienceMember;
}

/** One entry of an audience's change log; `none` fills a sequence number a writer abandoned. */
export interface LogEntry {
  seq: number;
  domain: string;
  name: string;
  op: 'add' | 'remove' | 'none';
  at: string;
  ver: number;
}

export type ApplyResult = 'added' | 'removed' | 'updated' | 'stale';

const MAX_LOG_ATTEMPTS = 5;

/**
 * Audience membership, kept up to date by the re-scores: member items written only when an
 * account's standing or exported fields change, and a densely numbered change log that the
 * delta sync reads from a cursor.
 */
export class AudienceRepository {
  constructor(private readonly table: Table) {}

  /** The account's stored standing in each of the given audiences (absent: never a member). */
  async states(domain: string, audienceIds: string[]): Promise<Map<string, MemberState>> {
    const items = await this.table.getMany(audienceIds.map((id) => audienceMemberKey(id, domain)));
    return new Map(items.map((item) => [String(item.pk).slice('AUD#'.length), toState(item)]));
  }

  /**
   * Sets the account's standing, unless a newer account version already set it ('stale').
   * A change of standing bumps the member count and appends to the change log.
   */
  async apply(audienceId: string, state: MemberState, at: string): Promise<ApplyResult> {
    let old: MemberState | undefined;
    try {
      const out = await this.table.client.send(
        new PutItemCommand({
          TableName: this.table.name,
          Item: toAttr({
            ...audienceMemberKey(audienceId, state.domain),
            domain: state.domain,
            member: state.member,
            ver: state.ver,
            m: state.view,
            at,
          }),
          ConditionExpression: 'attribute_not_exists(pk) OR #ver <= :v',
          ExpressionAttributeNames: { '#ver': 'ver' },
          ExpressionAttributeValues: toAttr({ ':v': state.ver }),
          ReturnValues: 'ALL_OLD',
        }),
      );
      old = out.Attributes ? toState(unmarshall(out.Attributes)) : undefined;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return 'stale';
      throw err;
    }
    if ((old?.member ?? false) === state.member) return 'updated';
    const op = state.member ? 'add' : 'remove';
    await this.appendLog(
      audienceId,
      { domain: state.domain, name: state.view.name, op, at, ver: state.ver },
      state.member ? 1 : -1,
    );
    return state.member ? 'added' : 'removed';
  }

  /**
   * Numbers the change (an atomic counter, so the log is dense) and writes it under that
   * number. If a reader gave the number up as abandoned meanwhile, the change takes the next.
   */
  private async appendLog(audienceId: string, entry: Omit<LogEntry, 'seq'>, sizeDelta: number): Promise<void> {
    for (let attempt = 0; attempt < MAX_LOG_ATTEMPTS; attempt++) {
      const seq = await this.nextSeq(audienceId, attempt === 0 ? sizeDelta : 0);
      try {
        await this.table.client.send(
          new PutItemCommand({
            TableName: this.table.name,
            Item: toAttr({ ...audienceLogKey(audienceId, seq), ...entry }),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return;
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
      }
    }
    throw new Error(`audience ${audienceId}: could not append to the change log`);
  }

  private async nextSeq(audienceId: string, sizeDelta: number): Promise<number> {
    const out = await this.table.client.send(
      new UpdateItemCommand({
        TableName: this.table.name,
        Key: toAttr(audienceMetaKey(audienceId)),
        UpdateExpression: 'ADD #seq :one, #size :d',
        ExpressionAttributeNames: { '#seq': 'seq', '#size': 'size' },
        ExpressionAttributeValues: toAttr({ ':one': 1, ':d': sizeDelta }),
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(unmarshall(out.Attributes ?? {}).seq);
  }

  /** The last sequence number handed out and the member count. */
  async meta(audienceId: string): Promise<{ seq: number; size: number }> {
    const item = await this.table.get(audienceMetaKey(audienceId), true);
    return { seq: Number(item?.seq ?? 0), size: Number(item?.size ?? 0) };
  }

  /** Log entries numbered after `seq`, in order (strongly consistent). */
  async logAfter(audienceId: string, seq: number): Promise<LogEntry[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: toAttr({
        ':pk': audiencePk(audienceId),
        ':from': audienceLogSk(seq + 1),
        ':to': `${AUDIENCE_LOG_PREFIX}~`,
      }),
      ConsistentRead: true,
    });
    return items.map((item) => ({
      seq: parseAudienceLogSk(String(item.sk)),
      domain: String(item.domain ?? ''),
      name: String(item.name ?? item.domain ?? ''),
      op: item.op as LogEntry['op'],
      at: String(item.at ?? ''),
      ver: Number(item.ver ?? 0),
    }));
  }

  /** Marks a sequence number as abandoned, unless its change was written meanwhile. */
  async fillGap(audienceId: string, seq: number, at: string): Promise<void> {
    try {
      await this.table.client.send(
        new PutItemCommand({
          TableName: this.table.name,
          Item: toAttr({ ...audienceLogKey(audienceId, seq), op: 'none', at }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
  }

  /** One page of current members, by domain; `startAfter` is the last domain of the page before. */
  async membersPage(
    audienceId: string,
    limit: number,
    startAfter?: string,
  ): Promise<{ members: AudienceMember[]; last?: string }> {
    const members: AudienceMember[] = [];
    let start = startAfter ? toAttr(audienceMemberKey(audienceId, startAfter)) : undefined;
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
      members.push(...page.items.map((item) => toState(item).view));
      if (!page.lastKey) return { members };
      start = toAttr(page.lastKey);
    }
    const last = members.at(-1)?.domain;
    return last ? { members, last } : { members };
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
    return items.map((item) => toState(item).view).sort((a, b) => a.domain.localeCompare(b.domain));
  }

  /** The current standing of these accounts in one audience. */
  async statesIn(audienceId: string, domains: string[]): Promise<Map<string, MemberState>> {
    const items = await this.table.getMany(domains.map((d) => audienceMemberKey(audienceId, d)));
    return new Map(items.map((item) => [String(item.domain), toState(item)]));
  }
}

function toState(item: Record<string, unknown>): MemberState {
  const domain = String(item.domain ?? String(item.sk).slice(AUDIENCE_MEMBER_PREFIX.length));
  return {
    domain,
    member: item.member === true,
    ver: Number(item.ver ?? 0),
    view: (item.m as AudienceMember) ?? { domain, name: domain, tier: '', stage: '', priority: 0, topics: [] },
  };
}

import { Firmographics } from '@intent/fit';
import type { AccountRecord } from '@intent/qualify';
import { z } from 'zod';
import { toRecord } from './account-repo';
import { defineEntity } from './entity';
import { accountKey, FIRMOGRAPHICS_SHARDS, firmographicsListingKey, firmographicsListingPkOf } from './keys';
import { type Table, toAttr } from './table';

/** The listing copy of one account's firmographics (`ACCTS#<shard>` / `<domain>`), as the ICP suggestion reads it. */
export const firmographicsListingEntity = defineEntity({
  name: 'firmographics listing',
  key: firmographicsListingKey,
  attributes: z.object({ f: Firmographics }),
  indexes: [],
});

/**
 * Firmographics, as `PUT /v1/accounts` stores them: on the account item (`f`, what scoring
 * reads) and copied to a sharded listing (what the ICP suggestion reads as "the whole base").
 */
export class FirmographicsRepository {
  constructor(private readonly table: Table) {}

  /**
   * Replaces the firmographics of one account with one UpdateItem, creating the account if it
   * was never seen. The score, claim and hold stay as they are; the version is bumped so a
   * re-score computed from the old firmographics cannot be saved over the new ones.
   * (BatchWriteItem would be fewer calls, but it can only replace whole items.)
   * Answers the account as it was before, or undefined when it did not exist.
   */
  async upsert(firmographics: Firmographics): Promise<AccountRecord | undefined> {
    // The item as it was: tells the caller whether anything changed and whether it was scored.
    const before = await this.table.update(accountKey(firmographics.domain), {
      ReturnValues: 'ALL_OLD',
      UpdateExpression: 'SET f = :f, #domain = :d ADD version :one',
      ExpressionAttributeNames: { '#domain': 'domain' },
      ExpressionAttributeValues: toAttr({ ':f': firmographics, ':d': firmographics.domain, ':one': 1 }),
    });
    return before ? toRecord(before) : undefined;
  }

  /** Writes the listing copies of these firmographics (BatchWriteItem: whole small items). */
  async list(accounts: Firmographics[]): Promise<void> {
    await this.table.writeMany(accounts.map((f) => ({ ...firmographicsListingEntity.key(f.domain), f })));
  }

  /** The firmographics of every account that has any: the whole base, in a few queries. */
  async all(): Promise<Firmographics[]> {
    const shards = await Promise.all(
      Array.from({ length: FIRMOGRAPHICS_SHARDS }, (_, shard) =>
        this.table.queryAll({
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: toAttr({ ':pk': firmographicsListingPkOf(shard) }),
          ProjectionExpression: 'f',
        }),
      ),
    );
    return shards.flat().map((item) => firmographicsListingEntity.parse(item).f);
  }
}

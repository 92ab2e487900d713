import type { AttributeValue, QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { VERSION } from './counter-state';
import { defineEntity } from './entity';
import { accountPk, PENDING_ENTRIES, parsePendingEntry, ROLLUP_PREFIX, siteDayKey, sitePk, visitorPendingQuery } from './keys';
import { pendingDayEntity } from './pending-entity';
import { type Key, type Table, toAttr } from './table';

/** The set of event ids a counter item has counted (see `addOnce`): not personal, kept so replays stay harmless. */
const EVENT_IDS = 'ids';

/**
 * What scrubbing reads of a counter item (an account's rollup of a day, a site's day): its key,
 * and every other attribute as it is, since which sets it holds depends on its topics.
 */
const counterSetsView = defineEntity({
  name: 'counter item (sets)',
  key: (key: Key) => key,
  attributes: z.looseObject({ pk: z.string(), sk: z.string() }),
  indexes: [],
});

/**
 * What erasing a visitor removes besides its link: its pending days, and
 * its person hashes from the distinct-people sets of account rollups and site activity.
 * Those sets are recognised as every string set but the event ids, not by name, so a change
 * of the counter items' layout cannot make an erasure miss one.
 * Counters (how many reads an account or a site had) are left as they are: they name no one.
 * Every removal is a set `DELETE` under `attribute_exists(pk)`, so it is idempotent and never
 * re-creates an item that expired meanwhile.
 */
export class ErasureRepository {
  constructor(private readonly table: Table) {}

  /**
   * Removes the visitor's pending events of the days `fromDay` to `toDay` (one Query of its
   * days, one delete per day that held any). Answers how many were removed and the person hashes
   * they carried (the visitor's; a user's hash in events kept before a visitor counted as one
   * person whatever user id its events carried).
   */
  async erasePending(anonymousId: string, fromDay: string, toDay: string): Promise<{ events: number; persons: string[] }> {
    const persons = new Set<string>();
    let events = 0;
    const days = await this.table.queryAll({ ...visitorPendingQuery(anonymousId, fromDay, toDay), ConsistentRead: true });
    const keys: Key[] = [];
    for (const item of days) {
      const { pk, sk, [PENDING_ENTRIES]: entries } = pendingDayEntity.parse(item);
      for (const entry of entries) {
        const { person } = parsePendingEntry(entry);
        if (person) persons.add(person);
      }
      events += entries.size;
      keys.push({ pk, sk });
    }
    await this.table.writeMany([], keys);
    return { events, persons: [...persons] };
  }

  /**
   * Removes the persons from the distinct-people sets of every rollup of the account; answers
   * the items changed. Whole items are read: which sets an item holds depends on its topics.
   */
  erasePeople(domain: string, persons: string[]): Promise<number> {
    return this.scrub(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
        ExpressionAttributeValues: toAttr({ ':pk': accountPk(domain), ':r': ROLLUP_PREFIX }),
      },
      persons,
    );
  }

  /**
   * Removes the persons from a site's per-topic visitor sets of the days `fromDay` to `toDay`;
   * answers the days changed. The topics a visitor read are not known, so every day item is
   * read whole (one item per site and day: a quarter costs about as much as reading 100 items).
   */
  eraseSiteVisitors(siteId: string, fromDay: string, toDay: string, persons: string[]): Promise<number> {
    return this.scrub(
      {
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: toAttr({
          ':pk': sitePk(siteId),
          ':from': siteDayKey(siteId, fromDay).sk,
          ':to': siteDayKey(siteId, toDay).sk,
        }),
      },
      persons,
    );
  }

  /**
   * Removes the persons from every string set of the items a query finds, but the event ids
   * (`ids`): the other sets of counter items are distinct-people sets, whatever their names
   * (per topic in rollups and site activity). A page of items at a time; answers the items changed.
   */
  private async scrub(query: Omit<QueryCommandInput, 'TableName'>, persons: string[]): Promise<number> {
    if (!persons.length) return 0;
    let changed = 0;
    let start: Record<string, AttributeValue> | undefined;
    do {
      // Consistent: a re-score follows this scrub and must not see a person it removed.
      const page = await this.table.queryPage({ ...query, ConsistentRead: true, ExclusiveStartKey: start });
      for (const item of page.items) {
        const { pk, sk, ...attributes } = counterSetsView.parse(item);
        const sets: Record<string, string[]> = {};
        for (const [attr, value] of Object.entries(attributes)) {
          if (attr === EVENT_IDS || !(value instanceof Set)) continue;
          const found = persons.filter((p) => value.has(p));
          if (found.length) sets[attr] = found;
        }
        if (Object.keys(sets).length && (await this.deleteMembers({ pk, sk }, sets))) changed++;
      }
      start = page.lastKey ? toAttr(page.lastKey) : undefined;
    } while (start);
    return changed;
  }

  /**
   * `DELETE attr :members` for each set of a counter item, moving its version so that no
   * writer's or re-score's view of it from before (docs/storage.md) is taken for the item;
   * false when the item is gone.
   */
  private async deleteMembers(key: Key, sets: Record<string, string[]>): Promise<boolean> {
    const names: Record<string, string> = { '#ver': VERSION };
    const values: Record<string, unknown> = { ':one': 1 };
    const actions = Object.entries(sets).map(([attr, members], i) => {
      names[`#s${i}`] = attr;
      values[`:s${i}`] = new Set(members);
      return `#s${i} :s${i}`;
    });
    return this.table.updateIf(key, {
      UpdateExpression: `DELETE ${actions.join(', ')} ADD #ver :one`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: toAttr(values),
    });
  }
}

import type { Key, Table } from './table';
import { toAttr } from './table';

/** A run of pages (items) each holding at most `cap` members of one string set. */
export interface CappedPages {
  /** The key of page `page` (0, 1, ...). */
  key(page: number): Key;
  /** The set attribute. */
  attr: string;
  cap: number;
  /** Full pages skipped before giving up (each skip is one refused conditional write). */
  maxSkips: number;
  /** Named in the error when the pages kept filling. */
  name: string;
}

/**
 * Adds `members` (at most `cap`) to the first page from `page` on that has room for them all:
 * the condition on the page's size holds whoever else appends to it, so no page passes `cap`.
 * Adding to a set is idempotent, so no read is needed. `expiresAt` (TTL) is set by a page's
 * first write. Answers the page written.
 */
export async function addToPages(
  table: Table,
  pages: CappedPages,
  members: string[],
  page: number,
  expiresAt: number,
): Promise<number> {
  for (let skipped = 0; skipped < pages.maxSkips; skipped++, page++) {
    const applied = await table.updateIf(pages.key(page), {
      UpdateExpression: 'ADD #set :members SET #exp = if_not_exists(#exp, :exp)',
      ConditionExpression: 'attribute_not_exists(#set) OR size(#set) <= :room',
      ExpressionAttributeNames: { '#set': pages.attr, '#exp': 'expiresAt' },
      ExpressionAttributeValues: toAttr({ ':members': new Set(members), ':room': pages.cap - members.length, ':exp': expiresAt }),
    });
    if (applied) return page;
  }
  throw new Error(`${pages.name} kept filling`);
}

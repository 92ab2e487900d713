import { addDays, dayOf } from '@intent/intent';
import { type PendingDay, STITCH_DAYS, type Store } from '@intent/store';

/**
 * When an anonymous visitor identifies, the engaged events they made anonymously in the last
 * STITCH_DAYS days (kept as pending events) count for the account too, as an identified
 * person's, each under its own event id: stitching twice, or a replay that resolves the same
 * events directly, counts them once. Anonymous page views are not kept (they are most of the
 * traffic and the weakest signal), so they are not stitched. Answers those events of each
 * visitor, by day, read together (one query per pending shard).
 */
export function pendingPasts(store: Store, anonymousIds: string[], now: Date): Promise<Map<string, PendingDay[]>> {
  const today = dayOf(now);
  return store.rollups.pendingOf(anonymousIds, addDays(today, -STITCH_DAYS), today);
}

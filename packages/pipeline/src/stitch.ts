import { type PendingEvent, STITCH_DAYS, type Store } from '@intent/store';
import { addDays, dayOf } from './time';

/**
 * When an anonymous visitor identifies, the engaged events they made anonymously in the last
 * STITCH_DAYS days (kept as pending events) count for the account too, as an identified
 * person's, each under its own event id: stitching twice, or a replay that resolves the same
 * events directly, counts them once. Anonymous page views are not kept (they are most of the
 * traffic and the weakest signal), so they are not stitched. Answers those events by day.
 */
export function pendingPast(store: Store, anonymousId: string, now: Date): Promise<{ day: string; events: Omit<PendingEvent, 'anonymousId'>[] }[]> {
  const today = dayOf(now);
  return store.rollups.pendingBetween(anonymousId, addDays(today, -STITCH_DAYS), today);
}

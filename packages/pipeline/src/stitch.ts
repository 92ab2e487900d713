import { STITCH_DAYS, type Store } from '@intent/store';
import { addDays, dayOf } from './time';

/**
 * When an anonymous visitor identifies, the engaged events they made anonymously in the last
 * STITCH_DAYS days (kept as pending rollups) count for the account too, as an identified
 * person's, each under its own event id: stitching twice, or a replay that resolves the same
 * events directly, counts them once. Anonymous page views are not kept (they are most of the
 * traffic and the weakest signal), so they are not stitched. Answers the events added.
 */
export async function stitchVisitor(store: Store, anonymousId: string, domain: string, now: Date): Promise<number> {
  const today = dayOf(now);
  const pending = await store.rollups.pendingBetween(anonymousId, addDays(today, -STITCH_DAYS), today);
  let stitched = 0;
  for (const { day, events } of pending) {
    stitched += await store.rollups.add({ domain, day, events: events.map((e) => ({ ...e, identified: true })) });
  }
  return stitched;
}

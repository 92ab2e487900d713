import { createHash } from 'node:crypto';
import { STITCH_DAYS, type Store } from '@intent/store';
import { addDays, dayOf } from './time';

/**
 * When an anonymous visitor identifies, the engaged events they made anonymously in the last
 * STITCH_DAYS days (kept as pending rollups) count for the account too, as an identified
 * person's. Each pending rollup is added under one stitch id, so stitching twice (a
 * redelivered identify) counts it once. Answers the number of pending rollups stitched.
 */
export async function stitchVisitor(store: Store, anonymousId: string, domain: string, now: Date): Promise<number> {
  const pending = await store.rollups.pendingSince(anonymousId, addDays(dayOf(now), -STITCH_DAYS));
  let stitched = 0;
  for (const rollup of pending) {
    const counts: Record<string, number> = {};
    for (const [signal, n] of Object.entries(rollup.counts)) {
      counts[`c_${signal}`] = n;
      counts[`i_${signal}`] = n;
    }
    const id = `st:${createHash('sha256').update(`${anonymousId}|${rollup.day}|${rollup.topic}`).digest('base64url').slice(0, 12)}`;
    const person = rollup.people[0];
    const added = await store.rollups.addStitched(domain, rollup.day, rollup.topic, { id, counts, members: person ? { people: person } : {} });
    stitched += added;
  }
  return stitched;
}

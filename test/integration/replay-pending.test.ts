import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The shard a visitor's pending events go to: internal to the store, needed to fill its page.
import { pendingShard, visitorTag } from '../../packages/store/src/keys';
import { event, startTestStack, stopTestStack, type TestStack } from './harness';

/** A replay must not grow what waits for stitching: each pending event is kept once. */
describe('pending events under a replay', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stopTestStack(stack));

  it('keeps an anonymous visitor’s reads pending once, however often they are replayed', async () => {
    const day = new Date().toISOString().slice(0, 10);
    const reads = [0, 1, 2].map(() => event({ type: 'track', event: 'content_read', anonymousId: 'replayed-visitor' }));
    const pending = async () =>
      ((await stack.store.rollups.pendingOf(['replayed-visitor'], day, day)).get('replayed-visitor') ?? []).flatMap((d) =>
        d.events.map((e) => e.id),
      );
    // Other visitors of the same shard fill its page between the passes, so a replayed entry
    // written again would land on a new page (a set only merges members within one page).
    const shard = pendingShard(visitorTag('replayed-visitor'));
    const neighbours = Array.from({ length: 20_000 }, (_, i) => `neighbour-${i}`).filter(
      (id) => pendingShard(visitorTag(id)) === shard,
    );
    for (let pass = 0; pass < 3; pass++) {
      expect((await stack.collect(reads)).status).toBe(202);
      await stack.drain();
      const ids = await pending();
      expect(ids).toHaveLength(3);
      expect(new Set(ids).size).toBe(3);
      // The page held this visitor's 3 entries: 247 more fill it to its 250.
      const fill = neighbours.slice(pass * 247, (pass + 1) * 247).map((anonymousId, i) => ({
        anonymousId,
        id: `fill-${pass}-${i}`,
        slot: '00',
        signal: 'content_read' as const,
        topics: ['-'],
        person: anonymousId,
      }));
      await stack.store.rollups.addPending(day, fill);
    }
  });
});

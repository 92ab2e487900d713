import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    for (let pass = 0; pass < 3; pass++) {
      expect((await stack.collect(reads)).status).toBe(202);
      await stack.drain();
      const ids = await pending();
      expect(ids).toHaveLength(3);
      expect(new Set(ids).size).toBe(3);
    }
  });
});

import { forEachLimited } from '@intent/store';

/** Runs `fn` over items with at most `limit` in flight; settles every item (no early abort). */
export async function settleLimited<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  await forEachLimited(items, limit, async (item, i) => {
    try {
      results[i] = { status: 'fulfilled', value: await fn(item) };
    } catch (reason) {
      results[i] = { status: 'rejected', reason };
    }
  });
  return results;
}

/**
 * Runs `fn` over `items`, started in their order, with at most `limit` in flight: the one
 * bounded pool of the code base (batch reads and writes, re-scores, the bench's posts). A
 * rejection rejects the whole; `settleLimited` (pipeline) settles each item instead.
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}

/** `items` in consecutive chunks of `size`. */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, c) => items.slice(c * size, (c + 1) * size));
}

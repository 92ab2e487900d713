import { z } from 'zod';
import { defineEntity } from './entity';
import { rateWindowKey } from './keys';
import { type Table, toAttr } from './table';

/** One bucket's count in one fixed window (`RATE#<bucket>` / `<window>`); expires soon after the window. */
export const rateWindowEntity = defineEntity({
  name: 'rate window',
  key: ({ bucket, window }: { bucket: string; window: number }) => rateWindowKey(bucket, window),
  attributes: z.object({ n: z.number(), expiresAt: z.number() }),
  indexes: [],
  ttl: 'expiresAt',
});

/**
 * Fixed-window counters shared by every collector instance (in AWS many run at once, so a
 * per-process count would let each of them accept the whole limit). One item per bucket and
 * window, expiring soon after the window ends; one conditional UpdateItem per take, whatever
 * the number of events (the collector takes key buckets in leases and address buckets past
 * its share of them: `admit`).
 */
export class RateLimitRepository {
  constructor(private readonly table: Table) {}

  /**
   * Adds `n` to the bucket's count for the window, unless the count would then pass `max`:
   * answers whether it fitted. A refused request adds nothing (the condition failed), so a
   * flood's refused requests do not push its own retries further out.
   */
  take(bucket: string, window: number, n: number, max: number, expiresAt: number): Promise<boolean> {
    return this.table.updateIf(rateWindowEntity.key({ bucket, window }), {
      UpdateExpression: 'ADD #n :n SET expiresAt = if_not_exists(expiresAt, :exp)',
      ConditionExpression: 'attribute_not_exists(#n) OR #n <= :room',
      ExpressionAttributeNames: { '#n': 'n' },
      ExpressionAttributeValues: toAttr({ ':n': n, ':room': max - n, ':exp': expiresAt }),
    });
  }
}

import { z } from 'zod';
import { defineEntity } from './entity';
import { IP_RANGES_PK, ipRangeKey } from './keys';
import { type Table, toAttr } from './table';

/** One IP range (`IPRANGES` / `<cidr>`): its sort key is the range, and it names the account domain. */
export const ipRangeEntity = defineEntity({
  name: 'ip range',
  key: ({ cidr }: { cidr: string }) => ipRangeKey(cidr),
  attributes: z.object({ sk: z.string(), domain: z.string() }).transform(({ sk, domain }) => ({ cidr: sk, domain })),
  indexes: [],
});

export type IpRange = z.infer<typeof ipRangeEntity.attributes>;

/** The table mapping IP ranges to account domains: one small partition, read whole and cached. */
export class IpRangeRepository {
  constructor(private readonly table: Table) {}

  async list(): Promise<IpRange[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: toAttr({ ':pk': IP_RANGES_PK }),
    });
    return items.map(ipRangeEntity.parse);
  }

  /** Replaces the whole table: ranges not in `ranges` are removed. */
  async replaceAll(ranges: IpRange[]): Promise<{ removed: number }> {
    const keep = new Set(ranges.map((r) => r.cidr));
    const stale = (await this.list()).filter((r) => !keep.has(r.cidr));
    await this.table.writeMany(
      ranges.map((r) => ({ ...ipRangeEntity.key(r), domain: r.domain })),
      stale.map(ipRangeEntity.key),
    );
    return { removed: stale.length };
  }
}

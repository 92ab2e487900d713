import { IP_RANGES_PK, ipRangeKey } from './keys';
import { type Table, toAttr } from './table';

export interface IpRange {
  cidr: string;
  domain: string;
}

/** The table mapping IP ranges to account domains: one small partition, read whole and cached. */
export class IpRangeRepository {
  constructor(private readonly table: Table) {}

  async list(): Promise<IpRange[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: toAttr({ ':pk': IP_RANGES_PK }),
    });
    return items.map((item) => ({ cidr: String(item.sk), domain: String(item.domain) }));
  }

  /** Replaces the whole table: ranges not in `ranges` are removed. */
  async replaceAll(ranges: IpRange[]): Promise<{ removed: number }> {
    const keep = new Set(ranges.map((r) => r.cidr));
    const stale = (await this.list()).filter((r) => !keep.has(r.cidr));
    await this.table.writeMany(
      ranges.map((r) => ({ ...ipRangeKey(r.cidr), domain: r.domain })),
      stale.map((r) => ipRangeKey(r.cidr)),
    );
    return { removed: stale.length };
  }
}

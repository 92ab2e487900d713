import { badRequest, bulkRows, json, type Route, requireScope } from '@intent/http';
import { IpRangeMatcher, ipRangeUpload } from '@intent/pipeline';
import { principalOf, store } from './deps';

export const ipRangeRoutes: Record<string, Route> = {
  /** Replaces the IP-range table; bad rows are reported by index, good rows stored. */
  'PUT /v1/ip-ranges': async (req) => {
    requireScope(await principalOf(req), 'admin');
    const rows = bulkRows(req, 'ranges', ['cidr', 'domain']);
    const { ranges: good, rejected } = ipRangeUpload(rows);
    // A table replaced by nothing because every row was bad is a mistake, not a wish to clear it.
    if (rows.length > 0 && good.length === 0) {
      throw badRequest(
        'no_valid_rows',
        'no row is a valid range; the IP-range table is unchanged',
        rejected.map((r) => ({ path: `ranges.${r.index}`, message: r.message })),
      );
    }
    const { removed } = await store.ipRanges.replaceAll(good);
    return json(200, { upserted: good.length, removed, rejected });
  },
  'GET /v1/ip-ranges': async (req) => {
    requireScope(await principalOf(req), 'admin');
    const ranges = await store.ipRanges.list();
    if (!req.query.ip) return json(200, { ranges });
    const match = new IpRangeMatcher(ranges).match(req.query.ip);
    return json(200, { ip: req.query.ip, domain: match?.domain ?? null, cidr: match?.cidr ?? null });
  },
};

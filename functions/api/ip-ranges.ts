import { normalizeDomain } from '@intent/fit';
import { bulkRows, json, type Route, requireScope } from '@intent/http';
import { IpRangeMatcher, normalizeCidr } from '@intent/pipeline';
import { principalOf, store } from './deps';

export const ipRangeRoutes: Record<string, Route> = {
  /** Replaces the IP-range table; bad rows are reported by index, good rows stored. */
  'PUT /v1/ip-ranges': async (req) => {
    requireScope(await principalOf(req), 'admin');
    const rows = bulkRows(req, 'ranges');
    const good: { cidr: string; domain: string }[] = [];
    const rejected: { index: number; code: string; message: string }[] = [];
    rows.forEach((row, index) => {
      const r = (row ?? {}) as Record<string, unknown>;
      const cidr = typeof r.cidr === 'string' ? normalizeCidr(r.cidr) : undefined;
      const domain = typeof r.domain === 'string' ? normalizeDomain(r.domain) : undefined;
      if (!cidr)
        rejected.push({
          index,
          code: 'invalid_cidr',
          message: `cidr: "${String(r.cidr ?? '')}" is not an IPv4 or IPv6 CIDR range`,
        });
      else if (!domain)
        rejected.push({ index, code: 'invalid_domain', message: `domain: "${String(r.domain ?? '')}" is not a domain` });
      else good.push({ cidr, domain });
    });
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

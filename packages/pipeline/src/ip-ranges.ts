import { normalizeDomain } from '@intent/fit';
import ipaddr from 'ipaddr.js';

/** A CIDR range normalised to its network address ("203.0.113.7/24" -> "203.0.113.0/24"), or undefined if invalid. */
function normalizeCidr(input: string): string | undefined {
  try {
    const [addr, bits] = ipaddr.parseCIDR(input.trim());
    const network = ipaddr.fromByteArray(maskBytes(addr.toByteArray(), bits));
    return `${network.toString()}/${bits}`;
  } catch {
    return undefined;
  }
}

export interface IpRangeRow {
  cidr: string;
  domain: string;
}
export interface RejectedRow {
  index: number;
  code: string;
  message: string;
}

/**
 * The table an IP-range upload describes: each row's range normalised, each range once (the
 * first row that names it wins; a later one is rejected as `duplicate_cidr`, so two spellings
 * of one range never become two entries), and the rows refused, by index.
 */
export function ipRangeUpload(rows: unknown[]): { ranges: IpRangeRow[]; rejected: RejectedRow[] } {
  const ranges: IpRangeRow[] = [];
  const rejected: RejectedRow[] = [];
  const firstRow = new Map<string, number>();
  rows.forEach((row, index) => {
    // A row the upload could not read (a CSV row of another length than its header).
    if (row instanceof Error) {
      rejected.push({ index, code: 'invalid_row', message: row.message });
      return;
    }
    const r = (row ?? {}) as Record<string, unknown>;
    const cidr = typeof r.cidr === 'string' ? normalizeCidr(r.cidr) : undefined;
    const domain = typeof r.domain === 'string' ? normalizeDomain(r.domain) : undefined;
    const earlier = cidr === undefined ? undefined : firstRow.get(cidr);
    if (!cidr)
      rejected.push({
        index,
        code: 'invalid_cidr',
        message: `cidr: "${String(r.cidr ?? '')}" is not an IPv4 or IPv6 CIDR range`,
      });
    else if (!domain)
      rejected.push({ index, code: 'invalid_domain', message: `domain: "${String(r.domain ?? '')}" is not a domain` });
    else if (earlier !== undefined)
      rejected.push({ index, code: 'duplicate_cidr', message: `cidr: ${cidr} is already given by row ${earlier}` });
    else {
      firstRow.set(cidr, index);
      ranges.push({ cidr, domain });
    }
  });
  return { ranges, rejected };
}

/**
 * Longest-prefix matching of addresses against the IP-range table. Ranges are indexed by
 * prefix length, so a lookup costs one map probe per distinct prefix length, not one per range.
 */
export class IpRangeMatcher {
  private readonly byLength = new Map<string, Map<number, Map<string, string>>>();

  constructor(ranges: { cidr: string; domain: string }[]) {
    for (const r of ranges) {
      const [addr, bits] = ipaddr.parseCIDR(r.cidr);
      const family = addr.kind();
      const lengths = this.byLength.get(family) ?? new Map<number, Map<string, string>>();
      const networks = lengths.get(bits) ?? new Map<string, string>();
      networks.set(network(addr, bits), r.domain);
      lengths.set(bits, networks);
      this.byLength.set(family, lengths);
    }
    for (const [family, lengths] of this.byLength) {
      this.byLength.set(family, new Map([...lengths].sort(([a], [b]) => b - a)));
    }
  }

  /** The domain and range of an address, or undefined. IPv4-mapped IPv6 addresses match IPv4 ranges. */
  match(ip: string): { domain: string; cidr: string } | undefined {
    let addr: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      addr = ipaddr.process(ip);
    } catch {
      return undefined;
    }
    for (const [bits, networks] of this.byLength.get(addr.kind()) ?? []) {
      const net = network(addr, bits);
      const domain = networks.get(net);
      if (domain) return { domain, cidr: `${net}/${bits}` };
    }
    return undefined;
  }
}

function network(addr: ipaddr.IPv4 | ipaddr.IPv6, bits: number): string {
  return ipaddr.fromByteArray(maskBytes(addr.toByteArray(), bits)).toString();
}

function maskBytes(bytes: number[], bits: number): number[] {
  return bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    return b & (0xff << (8 - keep)) & 0xff;
  });
}

import freeMailDomains from 'free-email-domains';

/**
 * Domains are the account key everywhere (events, firmographics, pods, audiences), so every
 * package must reduce a URL, a host or an e-mail address to the same string.
 */

const FREE_MAIL = new Set(freeMailDomains.map((d) => d.toLowerCase()));

const MAX_INPUT = 2048;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// A top-level domain is letters (or punycode); an all-digit last label means an IP address.
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * Lower-case host of a URL, host, `host:port` or e-mail address, without `www.`.
 * Undefined when no plausible public hostname is left (IP addresses, `localhost`, junk),
 * so callers can reject the row instead of keying an account on garbage.
 */
export function normalizeDomain(input: string): string | undefined {
  if (typeof input !== 'string') return undefined;
  const trimmed = input.trim();
  if (trimmed === '' || trimmed.length > MAX_INPUT || /\s/.test(trimmed)) return undefined;
  // WHATWG URL does the hard parts (userinfo, ports, IDN to punycode, percent-decoding);
  // bare hosts and e-mail addresses get a scheme so they parse as an authority.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed.replace(/^\/\//, '')}`;
  let host: string;
  try {
    host = new URL(withScheme).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  host = host.replace(/\.$/, '');
  if (host.startsWith('www.')) host = host.slice(4);
  if (host.length === 0 || host.length > 253) return undefined;
  const labels = host.split('.');
  if (labels.length < 2) return undefined;
  if (!labels.every((l) => LABEL.test(l))) return undefined;
  if (!TLD.test(labels[labels.length - 1] ?? '')) return undefined;
  return host;
}

/** The domain itself and each parent with at least two labels: `a.b.example.com` -> ... `example.com`. */
function selfAndParents(domain: string): string[] {
  const labels = domain.split('.');
  const out: string[] = [];
  for (let i = 0; i <= labels.length - 2; i++) out.push(labels.slice(i).join('.'));
  return out;
}

/** True when `domain` is `parent` or one of its subdomains. */
export function domainMatches(domain: string, parent: string): boolean {
  return domain === parent || domain.endsWith(`.${parent}`);
}

/**
 * Free-mail and ISP domains (gmail.com, comcast.net, ...): an address there says nothing
 * about the employer, so such "accounts" are excluded rather than scored. Subdomains of a
 * listed domain count too (`uk.yahoo.com`-style regional hosts).
 */
export function isFreeMailDomain(domain: string): boolean {
  const d = normalizeDomain(domain) ?? domain.trim().toLowerCase();
  return selfAndParents(d).some((p) => FREE_MAIL.has(p));
}

// Academic naming conventions: US `.edu`, `edu` under a country code (`.edu.au`, `.edu.cn`),
// `ac` under a country code (`.ac.uk`, `.ac.jp`), UK schools (`.sch.uk`) and US K-12 (`k12.ca.us`).
const STUDENT_PATTERNS = [
  /(?:^|\.)edu$/,
  /(?:^|\.)edu\.[a-z]{2}$/,
  /(?:^|\.)ac\.[a-z]{2}$/,
  /(?:^|\.)sch\.uk$/,
  /(?:^|\.)k12\.[a-z]{2}\.us$/,
];

/** Student or academic domains, excluded by default: students read a lot and buy nothing. */
export function isStudentDomain(domain: string): boolean {
  const d = normalizeDomain(domain) ?? domain.trim().toLowerCase();
  return STUDENT_PATTERNS.some((re) => re.test(d));
}

import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/**
 * Where a destination may send: public addresses only, unless the deployment allows private
 * ones (the local stack does, for the demo's and the tests' receivers on this machine). Without
 * it, an admin key could point a webhook at the cloud's metadata endpoint, the Lambda runtime
 * API or another internal service, and read what it answered in the deliveries' `lastError`.
 */
const PUBLIC_RANGES = new Set(['unicast']);

/** Why a host (a name or an IP literal) may not be sent to, or undefined when it may. */
export function refusedLiteral(hostname: string): string | undefined {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return `${hostname} is this machine`;
  if (!ipaddr.isValid(host)) return undefined;
  const address = ipaddr.process(host);
  const range = address.range();
  return PUBLIC_RANGES.has(range) ? undefined : `${hostname} is a ${range} address, not a public one`;
}

/**
 * Why `url` may not be sent to: its host is this machine or a private, link-local, loopback or
 * otherwise reserved address, as written or as DNS resolves it now. Undefined when it may.
 * (A name that resolves differently between this check and the send is not caught here.)
 */
export async function refusedDestination(url: string): Promise<string | undefined> {
  const { hostname } = new URL(url);
  const literal = refusedLiteral(hostname);
  if (literal || ipaddr.isValid(hostname.replace(/^\[|\]$/g, ''))) return literal;
  let addresses: { address: string }[];
  try {
    addresses = await lookup(hostname, { all: true });
  } catch {
    // Not resolvable now: the send fails on its own, and is retried like any network error.
    return undefined;
  }
  for (const { address } of addresses) {
    const refused = refusedLiteral(address);
    if (refused) return `${hostname} resolves to ${address}: ${refused.slice(address.length + 1)}`;
  }
  return undefined;
}

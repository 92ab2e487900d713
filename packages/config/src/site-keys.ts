import type { SitesConfig } from './index';

/** What `GET /v1/config/sites` shows in place of a server write key: it is write-only. */
export const MASK_PREFIX = '****';

/** What `GET` shows of a server write key: enough to tell keys apart, never enough to use one. */
function maskKey(key: string): string {
  return `${MASK_PREFIX}${key.slice(-4)}`;
}

/** The sites section as the API shows it: every server write key masked (they are write-only). */
export function maskServerKeys(sites: SitesConfig): SitesConfig {
  return {
    ...sites,
    sites: sites.sites.map((site) => (site.serverWriteKey ? { ...site, serverWriteKey: maskKey(site.serverWriteKey) } : site)),
  };
}

/**
 * A `PUT /v1/config/sites` body with each masked server key that stands for the same site's
 * stored key replaced by that key, so that putting back what `GET` showed keeps the secrets.
 * Any other masked value stays, and the schema refuses it. Works on the raw body (before
 * validation), leaving anything it does not recognise to the schema.
 */
export function restoreMaskedKeys(body: unknown, stored: SitesConfig): unknown {
  if (!body || typeof body !== 'object' || !Array.isArray((body as { sites?: unknown }).sites)) return body;
  const storedKeys = new Map(stored.sites.flatMap((s) => (s.serverWriteKey ? [[s.id, s.serverWriteKey] as const] : [])));
  const sites = (body as { sites: unknown[] }).sites.map((site) => {
    if (!site || typeof site !== 'object') return site;
    const { id, serverWriteKey } = site as { id?: unknown; serverWriteKey?: unknown };
    const key = typeof id === 'string' ? storedKeys.get(id) : undefined;
    if (typeof serverWriteKey !== 'string' || !key || serverWriteKey !== maskKey(key)) return site;
    return { ...site, serverWriteKey: key };
  });
  return { ...body, sites };
}

import { MASK_PREFIX, SEALED_PREFIX } from '@intent/config';
import type { z } from 'zod';

/**
 * Parses a configuration section as `GET /v1/config/{section}` shows it, or as a backup of it
 * keeps it: its secrets are masked (`****abcd`: sites' server write keys, destinations'
 * secrets), which the schemas refuse in a body of their own, since only the API knows which
 * stored secret a mask stands for (`restoreMaskedKeys`, `restoreMaskedSecrets`). Each mask
 * stands in as a placeholder the schema takes (a distinct one per place, as two sites' keys may
 * end alike), and comes back in the parsed value: the API restores it or refuses it.
 */
export function parseShown<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const { stand, restore } = standInForMasks(value);
  return restore(schema.parse(stand));
}

/** As `parseShown`, without throwing: the issues name the places as the value has them. */
export function safeParseShown<S extends z.ZodType>(schema: S, value: unknown): z.ZodSafeParseResult<z.output<S>> {
  return schema.safeParse(standInForMasks(value).stand);
}

function standInForMasks(value: unknown): { stand: unknown; restore: <T>(parsed: T) => T } {
  const masks = new Map<string, string>();
  const stand = mapStrings(value, (s) => {
    if (!s.startsWith(MASK_PREFIX)) return s;
    // Sealed, as a stored secret is, and long enough for a server write key.
    const placeholder = `${SEALED_PREFIX}shown-masked-${masks.size}-${'x'.repeat(16)}`;
    masks.set(placeholder, s);
    return placeholder;
  });
  return { stand, restore: (parsed) => mapStrings(parsed, (s) => masks.get(s) ?? s) as typeof parsed };
}

function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
  return value;
}

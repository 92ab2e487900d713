import { badRequest, parseWith } from '@intent/http';
import { DAY_MS } from '@intent/intent';
import { z } from 'zod';

/** An ISO 8601 date or date-time; a bare date as `to` means the end of that day (UTC). */
const Instant = (endOfDay: boolean) =>
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'an ISO 8601 date (2024-05-01) or date-time' })
    .transform((v) => new Date(v.length === 10 ? `${v}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : v));
const Window = z.object({ from: Instant(false).optional(), to: Instant(true).optional() });

/**
 * The window of a report from its `from` and `to` query parameters: `to` defaults to `now`,
 * `from` to `defaultDays` before `to`. 400 with the field path for a bad date, `from` after
 * `to`, or (with `maxDays`) a longer span.
 */
export function reportWindow(
  query: { from?: string; to?: string },
  now: Date,
  defaultDays: number,
  maxDays?: number,
): { from: Date; to: Date } {
  const parsed = parseWith(Window, { from: query.from, to: query.to });
  const to = parsed.to ?? now;
  const from = parsed.from ?? new Date(to.getTime() - defaultDays * DAY_MS);
  if (from > to)
    throw badRequest('invalid_request', 'from: must not be after to', [{ path: 'from', message: 'must not be after to' }]);
  if (maxDays !== undefined && to.getTime() - from.getTime() > maxDays * DAY_MS) {
    const message = `the window may span at most ${maxDays} days`;
    throw badRequest('window_too_long', `from: ${message}`, [{ path: 'from', message }]);
  }
  return { from, to };
}

import { badRequest, json, parseWith, type Route, requireScope } from '@intent/http';
import { DAY_MS } from '@intent/intent';
import { calibrationReport } from '@intent/pipeline';
import { z } from 'zod';
import { configs, principalOf, store } from './deps';

/** A quarter: the review the calibration replaces. */
const DEFAULT_DAYS = 90;
/** The longest window: a year. Older pushes were made under a different market and configuration. */
const MAX_DAYS = 366;

/** An ISO 8601 date or date-time; a bare date as `to` means the end of that day (UTC). */
const Instant = (endOfDay: boolean) =>
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'an ISO 8601 date (2024-05-01) or date-time' })
    .transform((v) => new Date(v.length === 10 ? `${v}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : v));
const Window = z.object({ from: Instant(false).optional(), to: Instant(true).optional() });

export const calibrationRoutes: Record<string, Route> = {
  /**
   * What the pushes of the window (default the last 90 days, at most 366) and their feedback say
   * about the signals, topics, stages, tiers and ICP criteria; a proposal fitted on the earlier
   * pushes, and its backtest against the current configuration on the later ones.
   */
  'GET /v1/calibration': async (req) => {
    requireScope(await principalOf(req), 'admin', 'marketing');
    const query = parseWith(Window, { from: req.query.from, to: req.query.to });
    const now = new Date();
    const to = query.to ?? now;
    const from = query.from ?? new Date(to.getTime() - DEFAULT_DAYS * DAY_MS);
    if (from > to)
      throw badRequest('invalid_request', 'from: must not be after to', [{ path: 'from', message: 'must not be after to' }]);
    if (to.getTime() - from.getTime() > MAX_DAYS * DAY_MS) {
      const message = `the window may span at most ${MAX_DAYS} days`;
      throw badRequest('window_too_long', `from: ${message}`, [{ path: 'from', message }]);
    }
    return json(200, await calibrationReport(store, await configs.get(), from, to));
  },
};

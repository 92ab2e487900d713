import { badRequest, json, parseWith, type Route, requireScope } from '@intent/http';
import { DAY_MS } from '@intent/intent';
import { alignmentReport } from '@intent/pipeline';
import { z } from 'zod';
import { configs, principalOf, store } from './deps';

const DEFAULT_DAYS = 30;

/** An ISO 8601 date or date-time; a bare date as `to` means the end of that day (UTC). */
const Instant = (endOfDay: boolean) =>
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'an ISO 8601 date (2024-05-01) or date-time' })
    .transform((v) => new Date(v.length === 10 ? `${v}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : v));
const Window = z.object({ from: Instant(false).optional(), to: Instant(true).optional() });

export const metricsRoutes: Record<string, Route> = {
  /** Alignment metrics of the pushes made in the window (default: the last 30 days), per pod and overall. */
  'GET /v1/metrics/alignment': async (req) => {
    requireScope(await principalOf(req), 'admin', 'marketing');
    const query = parseWith(Window, { from: req.query.from, to: req.query.to });
    const now = new Date();
    const to = query.to ?? now;
    const from = query.from ?? new Date(to.getTime() - DEFAULT_DAYS * DAY_MS);
    if (from > to)
      throw badRequest('invalid_request', 'from: must not be after to', [{ path: 'from', message: 'must not be after to' }]);
    return json(200, await alignmentReport(store, await configs.get(), from, to, now));
  },
};

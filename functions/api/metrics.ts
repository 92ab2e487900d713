import { json, type Route, requireScope } from '@intent/http';
import { alignmentReport } from '@intent/pipeline';
import { configs, principalOf, store } from './deps';
import { reportWindow } from './window';

const DEFAULT_DAYS = 30;

export const metricsRoutes: Record<string, Route> = {
  /** Alignment metrics of the pushes made in the window (default: the last 30 days), per pod and overall. */
  'GET /v1/metrics/alignment': async (req) => {
    requireScope(await principalOf(req), 'admin', 'marketing');
    const now = new Date();
    const { from, to } = reportWindow(req.query, now, DEFAULT_DAYS);
    return json(200, await alignmentReport(store, await configs.get(), from, to, now));
  },
};

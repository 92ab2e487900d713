import { json, type Route, requireScope } from '@intent/http';
import { calibrationReport } from '@intent/pipeline';
import { configs, principalOf, store } from './deps';
import { reportWindow } from './window';

/** A quarter: the review calibration makes continuous (also the window a preview's backtest reads). */
export const CALIBRATION_DAYS = 90;
/** The longest window: a year (pushes older than that were made under another market and configuration). */
const MAX_DAYS = 366;

export const calibrationRoutes: Record<string, Route> = {
  /**
   * What the pushes of the window (default the last 90 days, at most 366) and their feedback say
   * about the signals, topics, stages, tiers and ICP criteria; a proposal fitted on the earlier
   * pushes, and its backtest against the current configuration on the later ones.
   */
  'GET /v1/calibration': async (req) => {
    requireScope(await principalOf(req), 'admin', 'marketing');
    const { from, to } = reportWindow(req.query, new Date(), CALIBRATION_DAYS, MAX_DAYS);
    return json(200, await calibrationReport(store, await configs.get(), from, to));
  },
};

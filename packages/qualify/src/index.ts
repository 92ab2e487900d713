/**
 * `@intent/qualify`: from fit and intent to priority, sales-readiness, pod and explanation.
 * Pure functions (the caller passes `now`), so the API, the scorer and the tests agree.
 */
export type { AccountIntent, Stage } from '@intent/intent';
export { priority, INTENT_SHARE, FIT_SHARE, BAND_SHARE, STAGE_BAND } from './priority';
export { type Hold, type Outcome, type Readiness, salesReadiness, TERMINAL_OUTCOMES } from './readiness';
export { routeToPod, podMatches } from './route';
export { explainAccount } from './explain';

/**
 * `@intent/qualify`: from fit and intent to priority, sales-readiness, pod and explanation.
 * Pure functions (the caller passes `now`), so the API, the scorer and the tests agree.
 */
export type { AccountIntent, Stage } from '@intent/intent';
export { AccountRecord, Claim, OutboxEntry } from './account-record';
export { explainAccount } from './explain';
export { priority } from './priority';
export { Hold, OUTCOMES, type Outcome, type Readiness, salesReadiness, TERMINAL_OUTCOMES } from './readiness';
export { matchesEveryAccount, routeToPod } from './route';
export { ScoreSnapshot } from './score-snapshot';

/**
 * `@intent/fit`: ICP fit from firmographics. Pure functions only (no I/O, no clock), so the
 * API, the re-scoring job and the tests all compute the same fit from the same inputs.
 */
export { Firmographics } from './firmographics';
export { normalizeDomain, isFreeMailDomain, isStudentDomain, domainMatches } from './domain';
export {
  type Tier,
  type FitCriterion,
  type FitReason,
  type Fit,
  scoreFit,
  tierFor,
  FIT_WEIGHTS,
  UNKNOWN_CREDIT,
  BONUS_PER_TECH,
  BONUS_CAP,
  EMPTY_ICP_SCORE,
  NO_ICP_REASON,
} from './score';
export {
  type IcpSuggestion,
  type IcpEvidence,
  type IcpSuggestionResult,
  type SuggestedCriterion,
  suggestIcp,
  MIN_LIFT,
  MIN_ACCOUNTS,
  MIN_RANGE_VALUES,
  MIN_RANGE_LIFT,
} from './suggest';

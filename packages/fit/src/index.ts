/**
 * `@intent/fit`: ICP fit from firmographics. Pure functions only (no I/O, no clock), so the
 * API, the re-scoring job and the tests all compute the same fit from the same inputs.
 */

export { domainMatches, isFreeMailDomain, isStudentDomain, normalizeDomain } from './domain';
export { Firmographics } from './firmographics';
export {
  BONUS_CAP,
  BONUS_PER_TECH,
  EMPTY_ICP_SCORE,
  FIT_WEIGHTS,
  Fit,
  FitCriterion,
  FitReason,
  NO_ICP_REASON,
  scoreFit,
  Tier,
  tierFor,
  UNKNOWN_CREDIT,
} from './score';
export {
  type IcpEvidence,
  type IcpSuggestion,
  type IcpSuggestionResult,
  MIN_ACCOUNTS,
  MIN_LIFT,
  MIN_RANGE_LIFT,
  MIN_RANGE_VALUES,
  type SuggestedCriterion,
  suggestIcp,
} from './suggest';

/**
 * `@intent/fit`: ICP fit from firmographics. Pure functions only (no I/O, no clock), so the
 * API, the re-scoring job and the tests all compute the same fit from the same inputs.
 */

export { domainMatches, isFreeMailDomain, normalizeDomain } from './domain';
export { Firmographics } from './firmographics';
export { Fit, scoreFit, Tier } from './score';
export { type IcpEvidence, type IcpSuggestion, type IcpSuggestionResult, type SuggestedCriterion, suggestIcp } from './suggest';

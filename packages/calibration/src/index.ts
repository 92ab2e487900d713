/**
 * `@intent/calibration`: learning from SDR outcomes, pure. What a push knew (its snapshot),
 * which features predicted acceptance (lift with an interval), a proposal of new weights and
 * sales-ready threshold fitted on the earlier pushes, and its backtest on the later ones.
 * See docs/calibration.md.
 */
export { type BacktestSide, backtestSide, type Candidate, type Counted } from './backtest';
export { type EvidenceInputs, type HandRaiseSource, PushEvidence, pushEvidence } from './evidence';
export type { FeatureKind } from './features';
export type { Proposal, ProposedChange } from './propose';
export { type CalibrationPush, type DecidedPush, decidedPushes } from './push';
export { type CalibrationOutcomes, type CalibrationReport, calibrate } from './report';
export { type Lift, rate, type Tally, type Verdict } from './stats';
export type { FeatureStat } from './tally';

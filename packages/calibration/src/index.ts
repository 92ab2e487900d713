/**
 * `@intent/calibration`: learning from SDR outcomes, pure. What a push knew (its snapshot),
 * which features predicted acceptance (lift with an interval), a proposal of new weights and
 * sales-ready threshold fitted on the earlier pushes, and its backtest on the later ones.
 * See docs/calibration.md.
 */
export { type BacktestSide, backtestSide, type Candidate, type Counted, queueStageUnder, wouldPush } from './backtest';
export {
  type EvidenceInputs,
  HAND_RAISE_SOURCES,
  type HandRaiseSource,
  handRaiseSource,
  MAX_EVIDENCE_TECH,
  MAX_EVIDENCE_TOPICS,
  PushEvidence,
  pushEvidence,
  TopicEvidence,
} from './evidence';
export { FEATURE_KINDS, type FeatureKind, featuresOf, peopleBucket } from './features';
export { MAX_WEIGHT_FACTOR, type Proposal, type ProposedChange, propose, TARGET_FLOOR } from './propose';
export { type CalibrationPush, type DecidedPush, decidedPushes } from './push';
export { type CalibrationOutcomes, type CalibrationReport, calibrate, MAX_REASONS, TRAIN_SHARE } from './report';
export { INSUFFICIENT, type Lift, liftOverBase, MIN_PUSHES, rate, type Tally, type Verdict, Z95 } from './stats';
export { type FeatureStat, featureStats, MIN_CLOSED } from './tally';

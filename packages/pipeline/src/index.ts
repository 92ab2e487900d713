export { describeAccount, MAX_UPSERT_ROWS, type RowRejection, type UpsertResult, upsertAccounts } from './accounts';

export { type AlignmentReport, alignmentReport } from './alignment';
export { type AudienceDelta, audienceDelta, exportPage, MAX_PAGE_BYTES, type MembersPage, membersPage } from './audience-pages';
export type { AudienceMessage, AudiencePublisher, SyncResult } from './audiences';
export {
  backtestCandidate,
  type CalibrationAnswer,
  type CalibrationWindow,
  type CandidateBacktest,
  calibrationReport,
} from './calibration';
export { type ClaimResult, claimAccount, type ReleaseResult, releaseClaim } from './claims';
export { type CollectInput, type CollectResult, collect, type Enqueue, type Rejection, siteForWriteKey } from './collect';

export { ConfigCache, ErasedVisitorCache, IpRangeCache } from './config-cache';
export { boundedPreview, PREVIEW_SHARD_COUNT, type PreviewPosition, previewConfigChange } from './config-preview';
export { type Attempt, type DeliverDeps, deliverStream, type StreamOutcome, type Transport } from './deliver-stream';

export { refusedLiteral } from './destination-address';
export type { ChangeEvent } from './destination-events';
export { DeliveryMessage, type DeliverySender, deliverySender } from './destination-recorder';
export { type ForeignSealedSecret, SecretBox, type SecretReader, sealDestinationSecrets } from './destination-secrets';
export { destinationTransport } from './destination-transport';
export { loadBootstrapAdminSha256, loadHashSecret, optionalEnv, readSecretValue, requiredEnv } from './env';
export { type ErasureDeps, type ErasureResult, eraseVisitor } from './erase';

export { FeedbackInput, type FeedbackResult, feedbackPods, giveFeedback } from './feedback';

export { icpSuggestion } from './icp-suggestion';
export { IpRangeMatcher, ipRangeUpload } from './ip-ranges';
export { afterConfigChange, type ConfigChangeJob, jobView, runStep } from './job-kinds';
export { type JobDeps, JobMessage, type JobSender, LEASE_MARGIN_MS, type StepDeps, type StepOutcome } from './jobs';

export type { PodMessageSender } from './outbox';
export { type MessageAccount, PodMessage } from './pod-messages';
export { type PodQueueUrls, podQueueUrls, podsNeedingDeploy } from './pod-queues';
export { jobSender } from './publish';
export { type ChangePublishers, changePublishers } from './publishers';
export { sendAll, sqs } from './queues';
export { admit, RATE_WINDOW_MS, rateBuckets } from './rate-limit';
export { resumeRematerialisation } from './rematerialise';
export type { RescoreResult } from './rescore';
export { resumeStalledRescore, startDecayWalk } from './rescore-stale';
export { type IngestRecord, type RollupDeps, type RollupOutcome, rollUp } from './rollup';
export type { ServiceDeps } from './service-deps';

export { addDatapoints, batchDatapoints, type Datapoint } from './telemetry';
export type { Walked } from './walk';

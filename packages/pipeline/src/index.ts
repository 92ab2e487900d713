export { describeAccount, MAX_UPSERT_ROWS, type RowRejection, type UpsertResult, upsertAccounts } from './accounts';
export { eventActivity, statsActivity } from './activity';
export { type AlignmentReport, alignmentReport } from './alignment';
export {
  type AudienceDelta,
  audienceDelta,
  escapedBytes,
  exportPage,
  MAX_PAGE_BYTES,
  type MembersPage,
  membersPage,
} from './audience-pages';
export { type AudienceMessage, type AudiencePublisher, type SyncResult, syncMembership } from './audiences';
export {
  backtestCandidate,
  CALIBRATION_PAGE,
  type CalibrationAnswer,
  type CalibrationWindow,
  type CandidateBacktest,
  calibrationReport,
  MAX_CALIBRATION_PUSHES,
} from './calibration';
export { type ClaimResult, claimAccount, type ReleaseResult, releaseClaim } from './claims';
export { type CollectInput, type CollectResult, collect, type Enqueue, type Rejection, siteForWriteKey } from './collect';
export { settleLimited } from './concurrency';
export { Cached, ConfigCache, ErasedVisitorCache, IpRangeCache } from './config-cache';
export { boundedPreview, PREVIEW_SHARD_COUNT, type PreviewPosition, previewConfigChange } from './config-preview';
export { type Attempt, type DeliverDeps, deliverStream, type StreamOutcome, type Transport } from './deliver-stream';
export { outcomeOf, parseRetryAfter, RETRY_POLICY, retryDelayMs } from './delivery-schedule';
export { refusedDestination, refusedLiteral } from './destination-address';
export {
  accountPath,
  audienceChange,
  type ChangeEvent,
  isSlackAlert,
  podChange,
  slackChannelFor,
  wants,
} from './destination-events';
export {
  DeliveryMessage,
  type DeliverySender,
  deliverySender,
  destinationRecorder,
} from './destination-recorder';
export {
  type ForeignSealedSecret,
  openDestinationSecrets,
  SecretBox,
  type SecretReader,
  sealDestinationSecrets,
} from './destination-secrets';
export { destinationTransport } from './destination-transport';
export { loadBootstrapAdminSha256, loadHashSecret, optionalEnv, readSecretValue, requiredEnv } from './env';
export { type ErasureDeps, type ErasureResult, eraseVisitor } from './erase';
export { CONFLICT_RETRY, ConflictRetriesExhausted } from './errors';
export { Bant, FeedbackInput, type FeedbackResult, feedbackPods, giveFeedback, nextHold } from './feedback';
export { HUBSPOT_PROPERTIES, hubspotProperties, sendHubspot } from './hubspot';
export { icpSuggestion } from './icp-suggestion';
export { IpRangeMatcher, ipRangeUpload, normalizeCidr } from './ip-ranges';
export { afterConfigChange, type ConfigChangeJob, jobView, runStep, WALKERS } from './job-kinds';
export {
  isActive,
  isStalled,
  type JobDeps,
  JobMessage,
  type JobSender,
  LEASE_MARGIN_MS,
  runJobStep,
  STALLED_AFTER_MS,
  type StepDeps,
  type StepOutcome,
  startJob,
} from './jobs';
export { alignmentByPod } from './metrics';
export { MAX_OUTBOX_MESSAGES, nextOutbox, type PodMessageSender, podMessageOutbox } from './outbox';
export { MESSAGE_TOPICS, type MessageAccount, PodMessage, PodMessageType, podMessagesFor } from './pod-messages';
export { type PodQueueUrls, podQueueUrls, podsNeedingDeploy } from './pod-queues';
export { audiencePublisher, jobSender, publishPodMessages } from './publish';
export { type ChangePublishers, changePublishers } from './publishers';
export { sendAll, sqs } from './queues';
export { admit, RATE_WINDOW_MS, rateBuckets } from './rate-limit';
export { resumeRematerialisation, startRematerialisation } from './rematerialise';
export { OUTBOX_GRACE_MS, type RescoreResult, rescoreAccount } from './rescore';
export { resumeStalledRescore, startDecayWalk, startRescore } from './rescore-stale';
export { type IngestRecord, type RollupDeps, type RollupOutcome, rollUp } from './rollup';
export type { ServiceDeps } from './service-deps';
export { sendSlack } from './slack';
export { addDatapoints, batchDatapoints, type Datapoint } from './telemetry';
export { Budget, startWhile, type Walked, walkShard } from './walk';
export { sendWebhook } from './webhook';

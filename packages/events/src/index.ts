export { keyedHash, visitorPerson } from './hash';
export {
  CollectorStats,
  type EventSource,
  entriesOf,
  IngestBatch,
  IngestBody,
  IngestMessage,
  MAX_BATCH_BODY_BYTES,
  packIngestBodies,
} from './message';
export {
  type CollectContext,
  type DropReason,
  describe,
  type IgnoredClaim,
  normalizeEvent,
  type Outcome,
  type RejectionCode,
} from './normalize';
export { AnonymousId, RawEvent } from './schema';
export { configuredTopics, type EventTopics, MAX_TOPICS_PER_EVENT, topicsFor } from './topics';

export { keyedHash, visitorPerson } from './hash';
export { CollectorStats, type EventSource, entriesOf, IngestBatch, IngestBody, IngestMessage, packIngestBodies } from './message';
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
export { configuredTopics, type EventTopics } from './topics';

export { keyedHash, visitorPerson } from './hash';
export {
  CollectorStats,
  IngestBatch,
  IngestBody,
  IngestMessage,
  MAX_BATCH_BODY_BYTES,
  QueueMessage,
  entriesOf,
  packIngestBodies,
} from './message';
export { type CollectContext, type DropReason, type Outcome, type RejectionCode, describe, normalizeEvent } from './normalize';
export { AnonymousId, RawEvent } from './schema';
export { topicsFor } from './topics';

export { keyedHash, visitorPerson } from './hash';
export { CollectorStats, IngestMessage, QueueMessage } from './message';
export { type CollectContext, type DropReason, type Outcome, type RejectionCode, describe, normalizeEvent } from './normalize';
export { AnonymousId, RawEvent } from './schema';
export { topicsFor } from './topics';

import type { Config } from '@intent/config';
import type { Store } from '@intent/store';
import type { AudiencePublisher } from './audiences';

/**
 * What the application services share (re-scoring, audience membership, feedback, claims,
 * erasure): the store, the configuration they apply, the time they act at, and where audience
 * changes go (absent: they are only stored).
 */
export interface ServiceDeps {
  store: Store;
  config: Config;
  now: Date;
  publishAudienceChanges?: AudiencePublisher;
}

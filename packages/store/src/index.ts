import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AccountRepository } from './account-repo';
import { ActivityRepository } from './activity-repo';
import { ApiKeyRepository } from './api-key-repo';
import { AudienceRepository } from './audience-repo';
import { ClaimRepository } from './claim-repo';
import { ConfigRepository } from './config-repo';
import { DeliveryRepository } from './delivery-repo';
import { DomainClaimsRepository } from './domain-claims-repo';
import { ErasureRepository } from './erasure-repo';
import { FeedbackRepository } from './feedback-repo';
import { FirmographicsRepository } from './firmographics-repo';
import { IdentityRepository } from './identity-repo';
import { IngestFailureRepository } from './ingest-failure-repo';
import { IpRangeRepository } from './ip-range-repo';
import { JobRepository } from './job-repo';
import { OutboxRepository } from './outbox-repo';
import { PushRepository } from './push-repo';
import { RateLimitRepository } from './rate-limit-repo';
import { BATCH_RETRY, type RetryPolicy } from './retry';
import { RollupRepository } from './rollup-repo';
import { Table } from './table';

export type {
  AudienceInputs,
  QueuePage,
  QueuePlacement,
  ScoredShard,
  WalkPage,
  WalkPosition,
} from './account-repo';
export { InvalidCursorError, scoredShards } from './account-repo';
export type { SiteStats, TopicDay } from './activity-repo';
export { ACTIVITY_TTL_DAYS } from './activity-repo';
export type { ApiKeyRecord } from './api-key-repo';
export type { ApplyResult, LogChange, LogEntry, Standing } from './audience-repo';
export { dynamo, traced } from './clients';
export type { RevisionAuthor } from './config-entity';
export type { ConfigRevision, RevisionOrigin, RevisionSummary } from './config-repo';
export type { AddOutcome, Contribution, CounterStates } from './counted-add';
export { DELIVERY_STATUSES, type DeliveryStatus } from './delivery-entity';
export type { AttemptUpdate, DeliveryEvent, DeliveryPage, DeliveryRecord, StreamHead } from './delivery-repo';
export type { FeedbackEffect, FeedbackRecord } from './feedback-repo';
export type { ErasureMark, IdentityLink, UserLink, VisitorLink } from './identity-repo';
export type { IngestFailure } from './ingest-failure-repo';
export type { IpRange } from './ip-range-repo';
export type { JobKind, JobRecord, JobShardState, JobStatus, WalkShard } from './job-repo';
export { forEachLimited } from './limited';
export type { PushPage, PushRecord, PushRef } from './push-repo';
export { backoff, isThrottling, type RetryPolicy, UnprocessedItemsError } from './retry';
export type { PendingDay, PendingEvent, RollupGroup } from './rollup-repo';
export { STITCH_DAYS } from './rollup-repo';
export { Table } from './table';

/** Every repository over one table: what handlers build once at cold start and pass down. */
export class Store {
  readonly config: ConfigRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly identity: IdentityRepository;
  readonly rollups: RollupRepository;
  readonly accounts: AccountRepository;
  readonly activity: ActivityRepository;
  readonly ipRanges: IpRangeRepository;
  readonly firmographics: FirmographicsRepository;
  readonly claims: ClaimRepository;
  readonly feedback: FeedbackRepository;
  readonly pushes: PushRepository;
  readonly audiences: AudienceRepository;
  readonly erasure: ErasureRepository;
  readonly jobs: JobRepository;
  readonly outbox: OutboxRepository;
  readonly rateLimits: RateLimitRepository;
  readonly domainClaims: DomainClaimsRepository;
  readonly deliveries: DeliveryRepository;
  readonly ingestFailures: IngestFailureRepository;

  constructor(client: DynamoDBClient, tableName: string, retry: RetryPolicy = BATCH_RETRY) {
    const table = new Table(client, tableName, retry);
    this.config = new ConfigRepository(table);
    this.apiKeys = new ApiKeyRepository(table);
    this.identity = new IdentityRepository(table);
    this.rollups = new RollupRepository(table);
    this.accounts = new AccountRepository(table);
    this.activity = new ActivityRepository(table);
    this.ipRanges = new IpRangeRepository(table);
    this.firmographics = new FirmographicsRepository(table);
    this.claims = new ClaimRepository(table);
    this.feedback = new FeedbackRepository(table);
    this.pushes = new PushRepository(table);
    this.audiences = new AudienceRepository(table);
    this.erasure = new ErasureRepository(table);
    this.rateLimits = new RateLimitRepository(table);
    this.domainClaims = new DomainClaimsRepository(table);
    this.jobs = new JobRepository(table);
    this.outbox = new OutboxRepository(table);
    this.deliveries = new DeliveryRepository(table);
    this.ingestFailures = new IngestFailureRepository(table);
  }
}
export { claimSubject, rateBucketOf } from './keys';
export { perOwner } from './per-owner';

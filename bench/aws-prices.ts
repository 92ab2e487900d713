/**
 * AWS list prices the cost model uses, in USD, all in one place. Region us-east-1, on-demand,
 * no free tier and no savings plan, the first (most expensive) volume tier of each service.
 * Checked against the public pricing pages on the date below; when AWS changes a price,
 * change it here (and the date), then run `npm run cost`.
 */
export const AWS_PRICES = {
  checkedOn: '2026-11-30',
  region: 'us-east-1',
  sources: [
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/api-gateway/pricing/',
    'https://aws.amazon.com/sqs/pricing/',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    'https://aws.amazon.com/dynamodb/pricing/provisioned/',
    'https://aws.amazon.com/cloudwatch/pricing/',
    'https://aws.amazon.com/secrets-manager/pricing/',
  ],
  lambda: {
    /** Per request (invocation), whatever invokes it: an SQS event source, a function URL, API Gateway. */
    perMillionRequests: 0.2,
    /** Arm64 (Graviton), first 7.5 billion GB-seconds a month; billed per millisecond. */
    perGbSecondArm64: 0.0000133334,
    /** A function URL adds no charge of its own: the invocation and its duration are the bill. */
    functionUrlPerMillionRequests: 0,
  },
  apiGateway: {
    /** HTTP API, first 300 million requests a month; each 512 KB of a request is metered as one. */
    httpApiPerMillionRequests: 1.0,
    httpApiMeteringChunkBytes: 512 * 1024,
  },
  sqs: {
    /** Standard queue, after the first million a month; each 64 KB chunk of a payload is one request. */
    standardPerMillionRequests: 0.4,
    chunkBytes: 64 * 1024,
  },
  dynamodb: {
    /** On-demand capacity (prices of November 2024 onwards). */
    perMillionWriteRequestUnits: 0.625,
    perMillionReadRequestUnits: 0.125,
    /** Provisioned capacity (standard table class), per unit of capacity and hour, whatever is used of it. */
    perWriteCapacityUnitHour: 0.00065,
    perReadCapacityUnitHour: 0.00013,
  },
  cloudwatch: {
    /** Logs, standard class: ingestion, and storage (a month, the log groups' retention). */
    logsIngestionPerGb: 0.5,
    logsStoragePerGbMonth: 0.03,
    /** Custom metrics (EMF included), first 10,000 a month; each name x dimension set is one. */
    perMetricMonth: 0.3,
    /** Standard-resolution alarms, per metric an alarm evaluates. */
    perAlarmMetricMonth: 0.1,
    /** Beyond the three free dashboards of an account: counted, as they may be taken. */
    perDashboardMonth: 3.0,
  },
  secretsManager: {
    perSecretMonth: 0.4,
  },
} as const;

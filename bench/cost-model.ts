import { FUNCTIONS, type FunctionName, TABLE } from '@intent/resources';
import { AWS_PRICES as P } from './aws-prices';

/**
 * The cost model: what a million events cost in AWS, from figures measured in one end-to-end
 * run (bench/e2e.ts) priced with bench/aws-prices.ts. Pure: `npm run cost` and the bench's cost
 * section both call `modelCost`.
 */

/** The per-event figures of one run, as the e2e benchmark counted them. */
export interface MeasuredFigures {
  /** Events the collector accepted in the pass. */
  events: number;
  /** HTTP requests that carried them (the e2e run posts server-side batches of up to 100). */
  requests: number;
  /**
   * Lambda invocations by function, their summed wall time (each rounded up, as billed) and
   * the time with one or more in flight (`busyMs`: what the model prices, see usage-counter.ts).
   */
  functions: Partial<Record<FunctionName, { invocations: number; billedMs: number; busyMs: number; records: number }>>;
  /** SQS requests as billed (64 KB chunks), sends by the collector and the rollup, receives and deletes by the consumer. */
  sqs: { sends: number; collectorSends: number; receives: number; deletes: number; emptyReceives: number; messages: number };
  /** DynamoDB capacity units: all of them, and the collector's own (its rate-limit windows). */
  dynamo: { writeUnits: number; readUnits: number; collectorWriteUnits: number; collectorReadUnits: number };
  /** Log bytes the handlers wrote at INFO (with the rollup's metrics line): the collector's, and the consumers'. */
  logBytes: { collector: number; consumers: number };
  /** Events per request of the browser snippet (its real batching), if measured. */
  eventsPerBrowserRequest?: number;
  /**
   * Browser-sized requests posted one at a time (as a Lambda instance serves them), measured
   * apart: what the collector does for a beacon is not a hundredth of a 100-event batch.
   */
  browser?: BrowserRequests;
}

export interface BrowserRequests {
  requests: number;
  eventsPerRequest: number;
  /** The collector's summed invocation time. */
  collectorMs: number;
  /** SQS send requests as billed, and the bytes of the messages sent. */
  sendsBilled: number;
  messages: number;
  bytes: number;
  /** The collector's DynamoDB capacity units (its address rate windows: one write a browser request). */
  writeUnits: number;
  readUnits: number;
}

export type FrontDoor = 'functionUrl' | 'httpApi';
export type Traffic = 'server' | 'browser';

/** Events a second the model is priced at; the bench's headline is the last. */
export const RATES = [10, 100, 1000] as const;
export const HEADLINE_RATE = 1000;
const SECONDS_PER_MONTH = 30 * 24 * 3600;

/**
 * What one line of the HTTP API's access log (PipelineHttpApi's format) weighs with typical
 * values: written per request when the HTTP API is the front door. A function URL has none.
 */
export const ACCESS_LOG_BYTES_PER_REQUEST = Buffer.byteLength(
  JSON.stringify({
    requestId: 'Kx2y3Z4aIAMEb5Q=',
    requestTime: '1764489600000',
    routeKey: 'POST /v1/collect',
    status: '202',
    responseLength: '32',
    responseLatency: '23',
    integrationStatus: '202',
    integrationLatency: '21',
    integrationError: '-',
    errorMessage: '-',
  }),
);

/**
 * Lambda's own START, END and REPORT lines per invocation: none reach CloudWatch, as every
 * function logs in JSON with system log level WARN (PipelineFunction). Kept as a term so a
 * change there shows here.
 */
export const PLATFORM_LOG_BYTES_PER_INVOCATION = 0;

/** The functions an SQS event source invokes: each queue has a DLQ (alarmed) and idle long polls. */
const CONSUMERS = FUNCTIONS.filter((f) => f.consumes).length;

/**
 * Fixed monthly costs, whatever the traffic: the dashboard, the alarms (each metric an alarm
 * evaluates: each consumed queue's DLQ, the ingest age, errors and throttles of each function,
 * the API's 5xx, the collector URL's 5xx, freshness, and DynamoDB throttles over 7 operations),
 * the rollup's custom metrics (10 names, plus `EventsDropped` by about 6 reasons), two secrets,
 * and the idle long polls of the SQS event sources (5 pollers each, a 20 s poll: 3 a minute).
 */
export const FIXED_MONTHLY = {
  dashboard: P.cloudwatch.perDashboardMonth,
  alarms: (CONSUMERS + 1 + 2 * FUNCTIONS.length + 1 + 1 + 1 + 7) * P.cloudwatch.perAlarmMetricMonth,
  customMetrics: (10 + 6) * P.cloudwatch.perMetricMonth,
  secrets: 2 * P.secretsManager.perSecretMonth,
  idleQueuePolls: ((CONSUMERS * 5 * 3 * 60 * 24 * 30) / 1e6) * P.sqs.standardPerMillionRequests,
} as const;

export interface CostTerms {
  frontDoor: number;
  lambdaRequests: number;
  lambdaDuration: number;
  sqs: number;
  dynamoWrites: number;
  dynamoReads: number;
  logs: number;
  fixed: number;
}

export interface CostAtRate {
  eventsPerSecond: number;
  /** USD per million events, by term. */
  terms: CostTerms;
  total: number;
  /** The largest term. */
  dominant: keyof CostTerms;
}

export interface CostScenario {
  frontDoor: FrontDoor;
  traffic: Traffic;
  capacity: Capacity;
  requestsPerEvent: number;
  /** The per-event quantities priced, at the headline rate (rollup batching depends on the rate). */
  perEvent: Record<string, number>;
  rates: CostAtRate[];
}

/**
 * How the table pays for capacity (infra/constructs/pipeline-table.ts). Provisioned: auto
 * scaling keeps the units provisioned at the target utilisation over what the traffic uses,
 * never under the minimums of the table and its indexes, each unit billed by the hour.
 */
export type Capacity = 'provisioned' | 'onDemand';

/** USD per million events of `unitsPerEvent` capacity units at `eventsPerSecond`, provisioned. */
function provisionedPerMillion(unitsPerEvent: number, eventsPerSecond: number, minUnits: number, unitHour: number): number {
  const unitsProvisioned = Math.max(
    minUnits,
    (unitsPerEvent * eventsPerSecond) / (TABLE.capacity.targetUtilizationPercent / 100),
  );
  return ((unitsProvisioned * unitHour) / (eventsPerSecond * 3600)) * 1e6;
}
const MIN_WRITE_UNITS = TABLE.capacity.table.write.min + TABLE.globalIndexes.length * TABLE.capacity.index.write.min;
const MIN_READ_UNITS = TABLE.capacity.table.read.min + TABLE.globalIndexes.length * TABLE.capacity.index.read.min;

const memoryGb = (name: FunctionName) => (FUNCTIONS.find((f) => f.name === name)?.memoryMb ?? 0) / 1024;
const consumer = (name: FunctionName) => FUNCTIONS.find((f) => f.name === name)?.consumes;

/**
 * Prices one way of sending events (server-side batches as measured, or the snippet's
 * batching) through one front door at each rate. What the collector does scales with requests
 * per event (its invocations, its sends, its rate windows, its logs); what the consumer does,
 * with messages (one per request) and events. The consumer's batches hold what arrives in its
 * batching window, up to what the run measured: at 10 events/s a batch is ten events, not a
 * backlog's hundreds, so its invocations per event grow as the rate falls.
 */
export function modelCost(m: MeasuredFigures, frontDoor: FrontDoor, traffic: Traffic, capacity: Capacity): CostScenario {
  const events = Math.max(1, m.events);
  const requests = Math.max(1, m.requests);
  const measuredRequestsPerEvent = requests / events;
  const eventsPerRequest = traffic === 'browser' ? (m.eventsPerBrowserRequest ?? 1) : events / requests;
  const requestsPerEvent = 1 / eventsPerRequest;
  const collector = m.functions.collector ?? { invocations: requests, billedMs: 0, busyMs: 0, records: 0 };
  const rollup = m.functions.rollup ?? { invocations: 1, billedMs: 0, busyMs: 0, records: requests };
  // An invocation runs alone on its instance: its billed time is its share of the busy time.
  const browser = traffic === 'browser' ? m.browser : undefined;
  const collectorMsPerRequest = browser
    ? Math.max(1, browser.collectorMs / Math.max(1, browser.requests))
    : Math.max(1, collector.busyMs / Math.max(1, collector.invocations));
  const rollupMsPerEvent = rollup.busyMs / events;
  const measuredEventsPerBatch = events / Math.max(1, rollup.invocations);
  const windowSeconds = consumer('rollup')?.maxBatchingWindowSeconds ?? 1;
  // Messages: one per request; SQS bills receives and deletes per call of up to ten, and each
  // 64 KB of a call's payload: a beacon's message is small, ten fit in a receive.
  const messagesPerEvent = requestsPerEvent;
  const receivesPerMessage = browser
    ? Math.max(0.1, browser.bytes / Math.max(1, browser.messages) / P.sqs.chunkBytes)
    : m.sqs.receives / Math.max(1, m.sqs.messages);
  const deletesPerMessage = browser ? 0.1 : m.sqs.deletes / Math.max(1, m.sqs.messages);
  const collectorSendsPerRequest = browser
    ? browser.sendsBilled / Math.max(1, browser.requests)
    : m.sqs.collectorSends / requests;
  const consumerSendsPerEvent = (m.sqs.sends - m.sqs.collectorSends) / events;
  // The collector's units per request: its rate windows (a browser request also writes its address's).
  const collectorWriteUnitsPerRequest = browser
    ? browser.writeUnits / Math.max(1, browser.requests)
    : m.dynamo.collectorWriteUnits / requests;
  const collectorReadUnitsPerRequest = browser
    ? browser.readUnits / Math.max(1, browser.requests)
    : m.dynamo.collectorReadUnits / requests;
  const consumerWriteUnitsPerEvent = (m.dynamo.writeUnits - m.dynamo.collectorWriteUnits) / events;
  const consumerReadUnitsPerEvent = (m.dynamo.readUnits - m.dynamo.collectorReadUnits) / events;

  const rates = RATES.map((eventsPerSecond): CostAtRate => {
    const eventsPerBatch = Math.max(1, Math.min(measuredEventsPerBatch, eventsPerSecond * windowSeconds));
    const rollupInvocationsPerEvent = 1 / eventsPerBatch;
    const invocationsPerEvent = requestsPerEvent + rollupInvocationsPerEvent;
    const gbSecondsPerEvent =
      (requestsPerEvent * collectorMsPerRequest * memoryGb('collector') + rollupMsPerEvent * memoryGb('rollup')) / 1000;
    const sqsRequestsPerEvent =
      requestsPerEvent * collectorSendsPerRequest +
      messagesPerEvent * (receivesPerMessage + deletesPerMessage) +
      consumerSendsPerEvent;
    const frontDoorPerRequest =
      frontDoor === 'httpApi' ? P.apiGateway.httpApiPerMillionRequests : P.lambda.functionUrlPerMillionRequests;
    const logBytesPerEvent =
      requestsPerEvent * (m.logBytes.collector / requests) +
      (m.logBytes.consumers / events) * (measuredEventsPerBatch / eventsPerBatch) +
      invocationsPerEvent * PLATFORM_LOG_BYTES_PER_INVOCATION +
      (frontDoor === 'httpApi' ? requestsPerEvent * ACCESS_LOG_BYTES_PER_REQUEST : 0);
    const writeUnitsPerEvent = requestsPerEvent * collectorWriteUnitsPerRequest + consumerWriteUnitsPerEvent;
    const readUnitsPerEvent = requestsPerEvent * collectorReadUnitsPerRequest + consumerReadUnitsPerEvent;
    const eventsPerMonth = eventsPerSecond * SECONDS_PER_MONTH;
    const fixedMonthly = Object.values(FIXED_MONTHLY).reduce((a, b) => a + b, 0);
    const gb = 1024 ** 3;
    const terms: CostTerms = {
      frontDoor: requestsPerEvent * frontDoorPerRequest,
      lambdaRequests: invocationsPerEvent * P.lambda.perMillionRequests,
      lambdaDuration: gbSecondsPerEvent * P.lambda.perGbSecondArm64 * 1e6,
      sqs: sqsRequestsPerEvent * P.sqs.standardPerMillionRequests,
      dynamoWrites:
        capacity === 'onDemand'
          ? writeUnitsPerEvent * P.dynamodb.perMillionWriteRequestUnits
          : provisionedPerMillion(writeUnitsPerEvent, eventsPerSecond, MIN_WRITE_UNITS, P.dynamodb.perWriteCapacityUnitHour),
      dynamoReads:
        capacity === 'onDemand'
          ? readUnitsPerEvent * P.dynamodb.perMillionReadRequestUnits
          : provisionedPerMillion(readUnitsPerEvent, eventsPerSecond, MIN_READ_UNITS, P.dynamodb.perReadCapacityUnitHour),
      logs: ((logBytesPerEvent * 1e6) / gb) * (P.cloudwatch.logsIngestionPerGb + P.cloudwatch.logsStoragePerGbMonth),
      fixed: (fixedMonthly / eventsPerMonth) * 1e6,
    };
    const total = Object.values(terms).reduce((a, b) => a + b, 0);
    const dominant = (Object.entries(terms) as [keyof CostTerms, number][]).sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'fixed';
    return { eventsPerSecond, terms: roundTerms(terms), total: round6(total), dominant };
  });

  const headlineBatch = Math.max(1, Math.min(measuredEventsPerBatch, HEADLINE_RATE * windowSeconds));
  return {
    frontDoor,
    traffic,
    capacity,
    requestsPerEvent: round6(requestsPerEvent),
    perEvent: roundTerms({
      httpRequests: requestsPerEvent,
      measuredHttpRequests: measuredRequestsPerEvent,
      collectorInvocations: requestsPerEvent,
      collectorBilledMsPerInvocation: collectorMsPerRequest,
      rollupInvocations: 1 / headlineBatch,
      rollupBilledMsPerEvent: rollupMsPerEvent,
      sqsSends: requestsPerEvent * collectorSendsPerRequest + consumerSendsPerEvent,
      sqsReceives: messagesPerEvent * receivesPerMessage,
      sqsDeletes: messagesPerEvent * deletesPerMessage,
      dynamoWriteUnits: requestsPerEvent * collectorWriteUnitsPerRequest + consumerWriteUnitsPerEvent,
      dynamoReadUnits: requestsPerEvent * collectorReadUnitsPerRequest + consumerReadUnitsPerEvent,
      logBytes: requestsPerEvent * (m.logBytes.collector / requests) + m.logBytes.consumers / events,
    }),
    rates,
  };
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;
function roundTerms<T extends object>(terms: T): T {
  return Object.fromEntries(Object.entries(terms).map(([k, v]) => [k, round6(v as number)])) as T;
}

/** The model's table: each term per million events at each rate, then the total. */
export function costTable(scenario: CostScenario): string {
  const names = Object.keys(scenario.rates[0]?.terms ?? {}) as (keyof CostTerms)[];
  const header = ['USD per million events', ...scenario.rates.map((r) => `${r.eventsPerSecond} ev/s`)];
  const rows = [
    header,
    ...names.map((n) => [n, ...scenario.rates.map((r) => r.terms[n].toFixed(4))]),
    ['total', ...scenario.rates.map((r) => r.total.toFixed(4))],
  ];
  return rows.map((cols) => cols.map((c, i) => (i === 0 ? c.padEnd(24) : c.padStart(12))).join('')).join('\n');
}

import { TABLE } from '@intent/resources';
import { describe, expect, it } from 'vitest';
import { AWS_PRICES } from '../../bench/aws-prices';
import { costResult, figuresFrom, HEADLINE_ROW } from '../../bench/cost';
import { ACCESS_LOG_BYTES_PER_REQUEST, FIXED_MONTHLY, type MeasuredFigures, modelCost } from '../../bench/cost-model';

/** A run of 10,000 events in 100 requests of 100, rolled up in 10 batches of 1,000. */
const figures: MeasuredFigures = {
  events: 10_000,
  requests: 100,
  functions: {
    collector: { invocations: 100, billedMs: 4000, busyMs: 2000, records: 0 },
    rollup: { invocations: 10, billedMs: 30_000, busyMs: 10_000, records: 100 },
  },
  sqs: { sends: 110, collectorSends: 100, receives: 10, deletes: 10, emptyReceives: 50, messages: 100 },
  dynamo: { writeUnits: 1000, readUnits: 500, collectorWriteUnits: 100, collectorReadUnits: 0 },
  logBytes: { collector: 0, consumers: 10 * 1000 },
  eventsPerBrowserRequest: 2,
};
const at = (rate: number, s: ReturnType<typeof modelCost>) => s.rates.find((r) => r.eventsPerSecond === rate);

describe('cost model', () => {
  it('prices each term from the per-event figures and the price list', () => {
    const top = at(1000, modelCost(figures, 'functionUrl', 'server', 'onDemand'));
    const fixedMonthly = Object.values(FIXED_MONTHLY).reduce((a, b) => a + b, 0);
    expect(top?.terms).toEqual({
      frontDoor: 0,
      // 0.01 collector invocations and 0.001 rollup invocations per event.
      lambdaRequests: expect.closeTo(0.011 * 0.2, 6),
      // 20 ms per request at 0.5 GB, 1 ms per event at 1 GB.
      lambdaDuration: expect.closeTo((0.01 * 0.02 * 0.5 + 0.001 * 1) * AWS_PRICES.lambda.perGbSecondArm64 * 1e6, 6),
      // Sends 0.01 + 0.001, receives and deletes 0.1 each per message, 0.01 messages per event.
      sqs: expect.closeTo((0.011 + 0.002) * 0.4, 6),
      dynamoWrites: expect.closeTo(0.1 * AWS_PRICES.dynamodb.perMillionWriteRequestUnits, 6),
      dynamoReads: expect.closeTo(0.05 * AWS_PRICES.dynamodb.perMillionReadRequestUnits, 6),
      logs: expect.closeTo(((1 * 1e6) / 1024 ** 3) * 0.53, 6),
      fixed: expect.closeTo((fixedMonthly / (1000 * 30 * 86400)) * 1e6, 6),
    });
    expect(top?.total).toBeCloseTo(
      Object.values(top?.terms ?? {}).reduce((a, b) => a + b, 0),
      5,
    );
  });

  it('prices a provisioned table by the units auto scaling keeps at its target utilisation, never under the minimums', () => {
    const { targetUtilizationPercent, table, index } = TABLE.capacity;
    const minWrite = table.write.min + TABLE.globalIndexes.length * index.write.min;
    const hourly = (units: number, rate: number) =>
      ((units * AWS_PRICES.dynamodb.perWriteCapacityUnitHour) / (rate * 3600)) * 1e6;
    const s = modelCost(figures, 'functionUrl', 'server', 'provisioned');
    // 0.1 write units an event: 100 a second at 1,000 events/s, provisioned at the target.
    expect(at(1000, s)?.terms.dynamoWrites).toBeCloseTo(hourly(100 / (targetUtilizationPercent / 100), 1000), 6);
    // At 10 events/s the minimums are what is provisioned.
    expect(at(10, s)?.terms.dynamoWrites).toBeCloseTo(hourly(minWrite, 10), 6);
    // Under half the on-demand price at the headline rate.
    const onDemand = at(1000, modelCost(figures, 'functionUrl', 'server', 'onDemand'));
    expect(at(1000, s)?.terms.dynamoWrites).toBeLessThan((onDemand?.terms.dynamoWrites ?? 0) / 2);
  });

  it('adds the HTTP API per request, and its access log line', () => {
    const url = at(1000, modelCost(figures, 'functionUrl', 'server', 'onDemand'));
    const api = at(1000, modelCost(figures, 'httpApi', 'server', 'onDemand'));
    expect(api?.terms.frontDoor).toBeCloseTo(0.01 * AWS_PRICES.apiGateway.httpApiPerMillionRequests, 6);
    expect((api?.terms.logs ?? 0) - (url?.terms.logs ?? 0)).toBeCloseTo(
      ((0.01 * ACCESS_LOG_BYTES_PER_REQUEST * 1e6) / 1024 ** 3) * 0.53,
      6,
    );
  });

  it("scales what the collector does by the snippet's requests per event", () => {
    const server = at(1000, modelCost(figures, 'functionUrl', 'server', 'onDemand'));
    const browser = at(1000, modelCost(figures, 'functionUrl', 'browser', 'onDemand'));
    // Half a request per event instead of a hundredth: 50 times the collector's invocations.
    expect(browser?.terms.lambdaRequests).toBeCloseTo((0.5 + 0.001) * 0.2, 6);
    expect((browser?.terms.dynamoWrites ?? 0) - (server?.terms.dynamoWrites ?? 0)).toBeCloseTo(
      (0.5 - 0.01) * 1 * AWS_PRICES.dynamodb.perMillionWriteRequestUnits,
      6,
    );
  });

  it('prices browser traffic with what the beacons measured apart cost: time, sends, message size, rate windows', () => {
    const measured: MeasuredFigures = {
      ...figures,
      browser: {
        requests: 10,
        eventsPerRequest: 2,
        collectorMs: 100,
        sendsBilled: 10,
        messages: 10,
        bytes: 10 * 2048,
        writeUnits: 20,
        readUnits: 0,
      },
    };
    const top = at(1000, modelCost(measured, 'functionUrl', 'browser', 'onDemand'));
    // Half a request per event: 10 ms each at 0.5 GB, then the rollup's 1 ms per event at 1 GB.
    expect(top?.terms.lambdaDuration).toBeCloseTo((0.5 * 0.01 * 0.5 + 0.001) * AWS_PRICES.lambda.perGbSecondArm64 * 1e6, 6);
    // A send per request, and a tenth of a receive and of a delete per 2 KB message.
    expect(top?.terms.sqs).toBeCloseTo((0.5 + 0.5 * 0.2 + 0.001) * 0.4, 6);
    // Two units a request (its rate windows), and the consumer's 0.09 units per event.
    expect(top?.terms.dynamoWrites).toBeCloseTo((0.5 * 2 + 0.09) * AWS_PRICES.dynamodb.perMillionWriteRequestUnits, 6);
  });

  it('rolls up smaller batches at low rates, and spreads the fixed costs over fewer events', () => {
    const s = modelCost(figures, 'functionUrl', 'server', 'onDemand');
    const [low, , high] = s.rates;
    // 10 events a second fill a one-second window with 10 events: 0.1 invocations per event.
    expect(low?.terms.lambdaRequests).toBeCloseTo((0.01 + 0.1) * 0.2, 6);
    expect(low?.terms.fixed).toBeCloseTo((high?.terms.fixed ?? 0) * 100, 3);
  });

  it('makes the headline row from the e2e details of a run, and nothing from a run without usage counts', () => {
    const e2e = {
      first: {
        accepted: 10_000,
        requests: 100,
        dynamo: { writeUnits: 1000, readUnits: 500, writeUnitsByKind: { 'RATE#': 100 } },
        usage: {
          functions: figures.functions,
          sqs: {
            SendMessageBatch: { calls: 110, billedRequests: 110, messages: 110, empty: 0 },
            ReceiveMessage: { calls: 60, billedRequests: 60, messages: 100, empty: 50 },
            DeleteMessageBatch: { calls: 10, billedRequests: 10, messages: 100, empty: 0 },
          },
          logBytes: 10_000,
          logLines: 10,
          logBytesByThread: { rollup: 10_000 },
          sendsByThread: { main: 100, rollup: 10 },
        },
      },
    };
    const parsed = figuresFrom(e2e, { eventsPerBrowserRequest: 2 });
    expect(parsed).toEqual(figures);
    const [row] = costResult(figures).rows;
    expect(row?.name).toBe(HEADLINE_ROW);
    expect(row?.value).toBeCloseTo(at(1000, modelCost(figures, 'functionUrl', 'server', 'provisioned'))?.total ?? Number.NaN, 6);
    expect(figuresFrom({ first: { accepted: 1, dynamo: {} } }, undefined)).toBeUndefined();
  });
});

import { dynamo } from '@intent/store';
import { AWS_PRICES } from './aws-prices';
import { firstSite, visitorBatch } from './collector-vs-bare';
import {
  type BrowserRequests,
  type Capacity,
  type CostScenario,
  costTable,
  FIXED_MONTHLY,
  type FrontDoor,
  HEADLINE_RATE,
  type MeasuredFigures,
  modelCost,
} from './cost-model';
import { DynamoCounter, type DynamoCounts } from './dynamo-counter';
import { type BenchContext, type Benchmark, type BenchResult, BROWSER_UA, log, type Row } from './lib';
import { ThreadedUsageCounter, type Usage } from './usage-counter';

/** The front door the stack deploys by default (infra/stack.ts, context `collectorFrontDoor`). */
export const DEFAULT_FRONT_DOOR: FrontDoor = 'functionUrl';
/** How the stack's table pays for capacity by default (infra/context.ts, context `tableCapacity`). */
export const DEFAULT_CAPACITY: Capacity = 'provisioned';
export const HEADLINE_ROW = 'modelled AWS cost per million events, all in';

/** What bench/e2e.ts keeps of its first pass, as far as the model reads it. */
interface E2eDetails {
  first?: { accepted: number; requests?: number; dynamo: DynamoCounts; usage?: Usage };
}

/**
 * The model's inputs from the e2e benchmark's details (this run's, or a saved JSON's) and the
 * snippet benchmark's events per browser request, if it measured them. Undefined when the e2e
 * pass did not record usage (an older JSON).
 */
export function figuresFrom(e2e: unknown, snippet: unknown, browser?: BrowserRequests): MeasuredFigures | undefined {
  const first = (e2e as E2eDetails | undefined)?.first;
  if (!first?.usage || !first.requests) return undefined;
  const { usage, dynamo } = first;
  const op = (name: string) => usage.sqs[name] ?? { calls: 0, billedRequests: 0, messages: 0, empty: 0, bytes: 0 };
  const received = op('ReceiveMessage');
  const kindUnits = (prefix: string) =>
    Object.entries(dynamo.writeUnitsByKind)
      .filter(([kind]) => kind.startsWith(prefix))
      .reduce((n, [, units]) => n + units, 0);
  const logs = Object.entries(usage.logBytesByThread ?? {});
  const eventsPerBrowserRequest = Number((snippet as { eventsPerBrowserRequest?: number } | undefined)?.eventsPerBrowserRequest);
  return {
    events: first.accepted,
    requests: first.requests,
    functions: usage.functions,
    sqs: {
      sends: op('SendMessageBatch').billedRequests + op('SendMessage').billedRequests,
      // The collector sends from the main thread; it is the only sender to the ingest queue.
      collectorSends: usage.sendsByThread?.main ?? 0,
      receives: received.billedRequests - received.empty,
      emptyReceives: received.empty,
      deletes: op('DeleteMessageBatch').billedRequests + op('DeleteMessage').billedRequests,
      messages: received.messages,
    },
    dynamo: {
      writeUnits: dynamo.writeUnits,
      readUnits: dynamo.readUnits,
      // The collector writes its rate windows only; its configuration reads are cached.
      collectorWriteUnits: kindUnits('RATE#'),
      collectorReadUnits: 0,
    },
    logBytes: {
      collector: logs.filter(([t]) => t === 'main').reduce((n, [, b]) => n + b, 0),
      consumers: logs.filter(([t]) => t !== 'main').reduce((n, [, b]) => n + b, 0),
    },
    eventsPerBrowserRequest:
      Number.isFinite(eventsPerBrowserRequest) && eventsPerBrowserRequest > 0 ? eventsPerBrowserRequest : undefined,
    browser,
  };
}

/**
 * Every scenario the model prices: both front doors, server-side batches and the snippet's, on
 * the default capacity; and the default front door's server-side batches on the other.
 */
export function scenarios(figures: MeasuredFigures): CostScenario[] {
  const other: Capacity = DEFAULT_CAPACITY === 'provisioned' ? 'onDemand' : 'provisioned';
  return [
    ...(['functionUrl', 'httpApi'] as const).flatMap((door) =>
      (['server', 'browser'] as const).map((traffic) => modelCost(figures, door, traffic, DEFAULT_CAPACITY)),
    ),
    modelCost(figures, DEFAULT_FRONT_DOOR, 'server', other),
  ];
}

/** The bench's rows and details from the scenarios: the headline is the default front door, server-side batches, at 1,000 events/s. */
export function costResult(figures: MeasuredFigures): BenchResult {
  const all = scenarios(figures);
  const find = (door: FrontDoor, traffic: 'server' | 'browser') =>
    all.find((s) => s.frontDoor === door && s.traffic === traffic && s.capacity === DEFAULT_CAPACITY) as CostScenario;
  const at = (s: CostScenario) =>
    s.rates.find((r) => r.eventsPerSecond === HEADLINE_RATE) ?? (s.rates.at(-1) as CostScenario['rates'][number]);
  const headline = find(DEFAULT_FRONT_DOOR, 'server');
  const top = at(headline);
  const rows: Row[] = [
    {
      name: HEADLINE_ROW,
      value: top.total,
      unit: 'USD/M ev',
      note: `goal <= 0.30; ${HEADLINE_RATE} ev/s, ${DEFAULT_FRONT_DOOR}, ${DEFAULT_CAPACITY} table, server-side batches (${(1 / headline.requestsPerEvent).toFixed(0)} ev/request); largest: ${top.dominant} ${top.terms[top.dominant].toFixed(3)}`,
    },
  ];
  for (const s of all) {
    if (s === headline) continue;
    const r = at(s);
    rows.push({
      name: `modelled cost, ${s.frontDoor}, ${s.traffic}${s.capacity === DEFAULT_CAPACITY ? '' : `, ${s.capacity} table`}`,
      value: r.total,
      unit: 'USD/M ev',
      note: `${HEADLINE_RATE} ev/s, ${(1 / s.requestsPerEvent).toFixed(2)} ev/request${s.traffic === 'browser' && figures.eventsPerBrowserRequest === undefined ? ' (snippet batching not measured: 1 assumed)' : ''}; largest: ${r.dominant} ${r.terms[r.dominant].toFixed(3)}`,
    });
  }
  return {
    rows,
    details: { prices: AWS_PRICES, fixedMonthlyUsd: FIXED_MONTHLY, figures, scenarios: all },
  };
}

/** The cost section of the bench: prices this run's e2e figures (run after e2e and snippet). */
export const costBenchmark: Benchmark = {
  id: 'cost',
  title: 'Cost model',
  async run(ctx) {
    const snippet = ctx.results.snippet?.details as { eventsPerBrowserRequest?: number } | undefined;
    const browser = await measureBrowserRequests(ctx, Math.max(1, Math.round(snippet?.eventsPerBrowserRequest ?? 1)));
    const figures = figuresFrom(ctx.results.e2e?.details, snippet, browser);
    if (!figures) throw new Error('the cost model needs the e2e benchmark of the same run (BENCH_ONLY=e2e,snippet,cost)');
    const result = costResult(figures);
    const headline = scenarios(figures).find(
      (s) => s.frontDoor === DEFAULT_FRONT_DOOR && s.traffic === 'server' && s.capacity === DEFAULT_CAPACITY,
    );
    if (headline) log(`cost per million events (${DEFAULT_FRONT_DOOR}, server-side batches):\n${costTable(headline)}`);
    return result;
  },
};

/** Browser-sized requests the cost section posts, one at a time. */
const BROWSER_REQUESTS = 60;

/**
 * What the collector does for a beacon: `BROWSER_REQUESTS` requests of `eventsPerRequest`
 * events from a browser (Origin, agent) on the first site, one at a time, as a Lambda instance
 * serves them: the collector's invocation time and the SQS messages it sent, counted.
 */
async function measureBrowserRequests(ctx: BenchContext, eventsPerRequest: number): Promise<BrowserRequests> {
  const { stack } = ctx;
  const site = await firstSite(stack);
  const origin = site.origin ?? 'https://reader.example';
  const counter = new ThreadedUsageCounter(stack.consumerWorkers);
  // The collector runs in this thread: its DynamoDB requests, without the consumer's.
  const dynamoCounter = new DynamoCounter();
  dynamoCounter.install(dynamo, 'benchCostCollectorCounter');
  let usage: Usage;
  let units: DynamoCounts;
  await counter.start();
  dynamoCounter.start();
  try {
    for (let i = 0; i < BROWSER_REQUESTS; i++) {
      const batch = visitorBatch(origin, site.pathPrefix)
        .slice(0, eventsPerRequest)
        .map((e) => ({ ...e, messageId: `bench-cost-${i}-${String(e.messageId)}`, anonymousId: `bench-cost-visitor-${i}` }));
      const res = await fetch(`${stack.baseUrl}/v1/collect`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin, 'user-agent': BROWSER_UA },
        body: JSON.stringify({ writeKey: site.writeKey, batch }),
      });
      if (res.status !== 202) throw new Error(`a browser request answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    }
  } finally {
    units = dynamoCounter.stop();
    dynamo.middlewareStack.remove('benchCostCollectorCounter');
    usage = await counter.stop();
    counter.close();
  }
  const collector = usage.functions.collector;
  const sent = usage.sqs.SendMessageBatch;
  if (!collector || !sent) throw new Error('the browser requests were not counted');
  return {
    requests: collector.invocations,
    eventsPerRequest,
    collectorMs: collector.billedMs,
    // The main thread's sends are the collector's (anonymous visitors: the rollup sends nothing).
    sendsBilled: usage.sendsByThread.main ?? 0,
    messages: sent.messages,
    bytes: sent.bytes,
    writeUnits: units.writeUnits,
    readUnits: units.readUnits,
  };
}

import './lib/quiet-sdk';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AWS_PRICES } from '../bench/aws-prices';
import { costResult, DEFAULT_CAPACITY, DEFAULT_FRONT_DOOR, figuresFrom, scenarios } from '../bench/cost';
import { type BrowserRequests, costTable } from '../bench/cost-model';

/**
 * `npm run cost [-- <bench JSON>]`: the cost model (bench/cost-model.ts) on the figures of a
 * bench run, by default the newest in bench/results that has them (a run of other sections
 * only, such as `BENCH_ONLY=hotday`, has none). Prints each term per million events at 10,
 * 100 and 1,000 events/s for every front door and kind of traffic. The figures come from the
 * e2e benchmark: `BENCH_ONLY=e2e,snippet,cost npm run bench` makes them.
 */
const RESULTS_DIR = 'bench/results';
const MAKE_THEM = 'BENCH_ONLY=e2e,snippet,cost npm run bench';

interface BenchReport {
  startedAt?: string;
  commit?: string;
  benchmarks?: Record<string, { details?: unknown }>;
}

function figuresOf(report: BenchReport) {
  // The beacons the cost section posted apart, when the run had it.
  const browser = (report.benchmarks?.cost?.details as { figures?: { browser?: BrowserRequests } } | undefined)?.figures?.browser;
  return figuresFrom(report.benchmarks?.e2e?.details, report.benchmarks?.snippet?.details, browser);
}

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as BenchReport;

/** The newest run in bench/results with e2e figures (its files are named by their start time). */
function newestPricedRun(): string {
  const runs = existsSync(RESULTS_DIR)
    ? readdirSync(RESULTS_DIR)
        .filter((f) => f.endsWith('.json') && f !== 'latest.json')
        .sort()
        .reverse()
    : [];
  const found = runs.map((f) => join(RESULTS_DIR, f)).find((path) => figuresOf(read(path)));
  if (!found) throw new Error(`no bench run in ${RESULTS_DIR} has e2e figures to price: run ${MAKE_THEM} first`);
  return found;
}

function main() {
  const path = resolve(process.argv[2] ?? newestPricedRun());
  if (!existsSync(path)) throw new Error(`${path} does not exist: run ${MAKE_THEM} first`);
  const report = read(path);
  const figures = figuresOf(report);
  if (!figures) throw new Error(`${path} has no e2e figures with usage counts: run ${MAKE_THEM}`);
  console.log(`figures: ${path} (run of ${report.startedAt ?? '?'}, commit ${report.commit ?? '?'})`);
  console.log(`prices: ${AWS_PRICES.region}, checked ${AWS_PRICES.checkedOn} (bench/aws-prices.ts)\n`);
  for (const s of scenarios(figures)) {
    const mark = s.frontDoor === DEFAULT_FRONT_DOOR && s.capacity === DEFAULT_CAPACITY ? ' (default)' : '';
    const traffic =
      s.traffic === 'server'
        ? `server-side batches, ${(1 / s.requestsPerEvent).toFixed(1)} events/request`
        : `browser snippet, ${(1 / s.requestsPerEvent).toFixed(2)} events/request${figures.eventsPerBrowserRequest === undefined ? ' (not measured: 1 assumed)' : ''}`;
    console.log(`${s.frontDoor}, ${s.capacity} table${mark}, ${traffic}`);
    console.log(`${costTable(s)}\n`);
  }
  const [headline] = costResult(figures).rows;
  if (headline) console.log(`${headline.name}: ${headline.value.toFixed(4)} USD (${headline.note})`);
}

try {
  main();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}

import { request } from 'node:http';
import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type AudienceFilter, matchesFilter } from '@intent/audiences';
import { dayOf } from '@intent/intent';
import type { ScoreSnapshot } from '@intent/qualify';
import { dynamo, type Store } from '@intent/store';
import { settleLimited } from '../packages/pipeline/src/concurrency';
import { rescoreAccount } from '../packages/pipeline/src/rescore';
import { type DynamoCounts, ThreadedDynamoCounter } from './dynamo-counter';
import { clearTable } from './inspect';
import { type Benchmark, benchDynamo, log, sleep } from './lib';

const ACCOUNTS = 10_000;
/** Scan, then definition change, this many times: the figures are the medians, so noise is shared. */
const REPETITIONS = 3;
/** Scans before each definition change (a scan is short, so more samples cost little). */
const SCANS_PER_REPETITION = 3;
const SEED_CONCURRENCY = 32;
/** How long membership may take to reach the expected size after the definition change. */
const SETTLE_TIMEOUT_MS = 10 * 60_000;
const AUDIENCE_ID = 'bench-audience';
/** Between two looks at the audience while a change is under way. */
const POLL_MS = 250;

/**
 * The accounts: 30% in market on `cloud` (three reads by one identified person today: surging),
 * 20% merely engaged on `security` (one read), the rest aware (one page view). Every account
 * is scored, so a definition change evaluates every one (from its stored score).
 */
type Group = 'surging' | 'engaged' | 'aware';
const groupOf = (i: number): Group => (i % 10 < 3 ? 'surging' : i % 10 < 5 ? 'engaged' : 'aware');
const domainOf = (i: number) => `a${i}.audience-bench.example`;

/** The two definitions the benchmark alternates between, and which accounts each must hold. */
const DEFINITIONS: { label: string; filter: Partial<AudienceFilter>; group: Group }[] = [
  { label: 'in market on cloud', filter: { topics: ['cloud'] }, group: 'surging' },
  { label: 'stage engaged', filter: { stages: ['engaged'] }, group: 'engaged' },
];
const FULL_FILTER: AudienceFilter = { tiers: [], stages: [], topics: [], pods: [], minPriority: 0, excludeOutcomes: [] };

/**
 * Re-materialising an audience after its definition changes, against a full scan of the
 * account items in the same run. 10k accounts (x BENCH_SCALE) get rollups and firmographics
 * through the repositories and their scores and memberships through the pipeline's own
 * re-score, under one definition. Then, alternately: reads of every account's stored score two
 * ways — paginated Scans of the whole table keeping the account items, and the
 * re-materialisation's own read (keys of the scored-accounts index gsi2, then consistent
 * BatchGetItem of the fields membership depends on) — each evaluating the new definition on
 * every score; and `PUT /v1/config/audiences` with the other definition,
 * timed until `GET /v1/audiences` shows the expected size and the member listing holds exactly
 * the expected domains. Runs last: a Scan reads every item and a definition change evaluates
 * every scored account, so the table must hold only this benchmark's accounts; it first deletes
 * what earlier benchmarks left (their figures are taken).
 */
export const audienceRematerialiseBenchmark: Benchmark = {
  id: 'audience',
  title: 'Audience re-materialisation after a definition change vs a full scan',
  async run(ctx) {
    const { client, tableName } = benchDynamo();
    ctx.onFinish(async () => client.destroy());
    const n = Math.max(10, Math.round(ACCOUNTS * ctx.scale));
    const admin = { authorization: `Bearer ${ctx.stack.secrets.adminKey}`, 'content-type': 'application/json' };
    const api: Api = async (method, path, body) => {
      const res = await send(`${ctx.stack.baseUrl}${path}`, method, admin, body === undefined ? undefined : JSON.stringify(body));
      if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
      return JSON.parse(res.text) as Record<string, unknown>;
    };
    const putDefinition = (d: (typeof DEFINITIONS)[number]) =>
      api('PUT', '/v1/config/audiences', { audiences: [{ id: AUDIENCE_ID, name: `Benchmark: ${d.label}`, filter: d.filter }] });
    const expected = (d: (typeof DEFINITIONS)[number]) =>
      new Set(
        Array.from({ length: n }, (_, i) => i)
          .filter((i) => groupOf(i) === d.group)
          .map(domainOf),
      );

    // The handlers' own clients, in this thread and in the consumer workers (the jobs run in
    // the rescore function's): what the definition change costs in DynamoDB requests.
    const counter = new ThreadedDynamoCounter(dynamo, ctx.stack.consumerWorkers);
    ctx.onFinish(async () => counter.close());

    const clearStarted = performance.now();
    const cleared = await clearTable(client, tableName);
    if (cleared)
      log(
        `deleted ${cleared} items earlier benchmarks left in ${((performance.now() - clearStarted) / 1000).toFixed(1)} s, ` +
          "so the table holds only this benchmark's accounts",
      );

    // The starting definition first: seeding then materialises its membership as scores are saved.
    const first = DEFINITIONS[1] as (typeof DEFINITIONS)[number];
    await putDefinition(first);
    const config = await ctx.stack.store.config.getAll();
    const today = dayOf(new Date());
    const t = performance.now();
    const seeded = await settleLimited(
      Array.from({ length: n }, (_, i) => i),
      SEED_CONCURRENCY,
      async (i) => {
        const domain = domainOf(i);
        const group = groupOf(i);
        await ctx.stack.store.firmographics.upsert({ domain, name: `Account ${i}`, industry: 'Software', country: 'US' });
        const topics = [group === 'engaged' ? 'security' : 'cloud'];
        const person = `p${i}`;
        const events =
          group === 'surging'
            ? [0, 1, 2].map((k) => ({
                id: `ab${i}r${k}`,
                slot: '00',
                signal: 'content_read' as const,
                topics,
                identified: true,
                person,
              }))
            : [
                {
                  id: `ab${i}`,
                  slot: '00',
                  signal: group === 'engaged' ? ('content_read' as const) : ('page_view' as const),
                  topics,
                  identified: true,
                  person,
                },
              ];
        await ctx.stack.store.rollups.add({ domain, day: today, events });
        const { outcome } = await rescoreAccount(domain, { store: ctx.stack.store, config, now: new Date() });
        if (outcome !== 'saved') throw new Error(`${domain}: the first score was not saved`);
      },
    );
    const seedFailures = seeded.filter((r) => r.status === 'rejected');
    if (seedFailures.length)
      throw new Error(
        `seeding failed for ${seedFailures.length} accounts: ${String((seedFailures[0] as PromiseRejectedResult).reason)}`,
      );
    const seedSeconds = (performance.now() - t) / 1000;
    log(`seeded ${n} scored accounts in ${seedSeconds.toFixed(1)} s`);
    await verifyMembers(api, expected(first), 'after seeding');

    const scans: { ms: number; items: number; accounts: number; pages: number }[] = [];
    const indexReads: { keysThenBatchGet: number }[] = [];
    const changes: Change[] = [];
    let previous = first;
    for (let rep = 0; rep < REPETITIONS; rep++) {
      const next = DEFINITIONS[rep % 2] as (typeof DEFINITIONS)[number];
      const want = expected(next);

      // (a) The baseline: every account item of the table, the new definition evaluated on each.
      // A scan is short next to the change, so it runs a few times per repetition.
      const repScans: number[] = [];
      let scan: Awaited<ReturnType<typeof scanAccounts>> | undefined;
      for (let k = 0; k < SCANS_PER_REPETITION; k++) {
        scan = await scanAccounts(client, tableName, { ...FULL_FILTER, ...next.filter });
        if (scan.accounts !== n) throw new Error(`the scan found ${scan.accounts} account items, expected ${n}`);
        if (scan.matching !== want.size)
          throw new Error(`the scan's evaluation found ${scan.matching} matching accounts, expected ${want.size}`);
        scans.push({ ms: scan.ms, items: scan.items, accounts: scan.accounts, pages: scan.pages });
        repScans.push(scan.ms);
        // The index read, evaluated the same way: what the re-materialisation reads (the index
        // holds keys only).
        const read = await readIndexed(ctx.stack.store, { ...FULL_FILTER, ...next.filter });
        if (read.accounts !== n || read.matching !== want.size)
          throw new Error(
            `the index read found ${read.accounts} accounts and ${read.matching} matching, expected ${n} and ${want.size}`,
          );
        indexReads.push({ keysThenBatchGet: read.ms });
      }

      // (b) The definition change through the API: the PUT stores it and answers at once; a job
      // re-materialises the audience step by step (each step within its budget, then its
      // continuation). Timed until the membership is exactly the new one (its size first, then
      // the full listing) and the job has ended.
      const before = expected(previous);
      await counter.start();
      const started = performance.now();
      const body = JSON.stringify({ audiences: [{ id: AUDIENCE_ID, name: `Benchmark: ${next.label}`, filter: next.filter }] });
      const answer = await send(`${ctx.stack.baseUrl}/v1/config/audiences`, 'PUT', admin, body);
      const putMs = performance.now() - started;
      if (answer.status !== 200)
        throw new Error(`PUT /v1/config/audiences answered ${answer.status}: ${answer.text.slice(0, 300)}`);
      const jobId = (JSON.parse(answer.text) as { rematerialise?: { job?: string } }).rematerialise?.job;
      if (!jobId) throw new Error(`PUT /v1/config/audiences started no job: ${answer.text.slice(0, 300)}`);
      await waitForMembership(api, want, started);
      const job = await waitForJob(api, jobId, started);
      const ms = performance.now() - started;
      const outcome = job.progress;
      const requests = await counter.stop();
      if (Object.keys(requests.byOperation).length === 0)
        throw new Error('no DynamoDB call of the handlers was seen: they no longer use their thread’s @intent/store client');
      const joined = [...want].filter((d) => !before.has(d)).length;
      const left = [...before].filter((d) => !want.has(d)).length;
      changes.push({ ms, putMs, steps: job.steps, outcome, joined, left, dynamo: requests });
      log(
        `rep ${rep + 1}: scans ${repScans.map((x) => x.toFixed(0)).join(', ')} ms (${scan?.items} items); ` +
          `re-materialise "${next.label}" ${ms.toFixed(0)} ms (${joined} joined, ${left} left; ` +
          `PUT answered 200 in ${putMs.toFixed(0)} ms; the job took ${job.steps} steps, ${outcome.accounts} accounts evaluated)`,
      );
      if (outcome.accounts !== n || outcome.joined !== joined || outcome.left !== left || outcome.failed !== 0)
        throw new Error(
          `the definition change answered ${JSON.stringify(outcome)}, expected ${n} accounts, ${joined} joined, ${left} left`,
        );
      await verifyMembers(api, want, `after change ${rep + 1}`);
      previous = next;
    }

    const scanMs = median(scans.map((s) => s.ms));
    const keysThenBatchGetMs = median(indexReads.map((r) => r.keysThenBatchGet));
    const rematMs = median(changes.map((c) => c.ms));
    const ratio = rematMs / scanMs;
    ctx.metrics['audience.scanMs'] = scanMs;
    ctx.metrics['audience.rematerialiseMs'] = rematMs;
    const last = scans.at(-1) as (typeof scans)[number];
    const callsPerAccount = median(changes.map(rematerialiseCalls)) / n;
    const putMs = median(changes.map((c) => c.putMs));
    return {
      rows: [
        {
          name: `audience full scan @${n}`,
          value: Math.round(scanMs),
          unit: 'ms',
          note: `median of ${scans.length}; Scan of the whole table (${last.items} items, ${last.pages} pages), account items kept, definition evaluated`,
        },
        {
          name: `audience index read @${n}`,
          value: Math.round(keysThenBatchGetMs),
          unit: 'ms',
          note: `median of ${indexReads.length}; what the change reads: keys of gsi2 (16 Queries), then consistent BatchGetItem of the fields membership depends on, definition evaluated`,
        },
        {
          name: `audience re-materialise @${n}`,
          value: Math.round(rematMs),
          unit: 'ms',
          note:
            `median of ${REPETITIONS}; PUT /v1/config/audiences until the membership is exactly the new one; ${n} stored scores evaluated, none re-scored, ` +
            `~${median(changes.map((c) => c.joined + c.left))} joins + leaves, ${callsPerAccount.toFixed(1)} DynamoDB calls per account`,
        },
        {
          name: 'audience re-materialise / scan',
          value: ratio,
          unit: 'ratio',
          note: 'medians of the same run; the definition change evaluates every scored account and writes only the joins and leaves',
        },
        {
          name: 'audience definition PUT answered',
          value: Math.round(putMs),
          unit: 'ms',
          note: `median of ${REPETITIONS}; the PUT stores the definitions and starts the job, then answers; the job takes ${median(changes.map((c) => c.steps))} steps (median)`,
        },
      ],
      details: {
        accounts: n,
        groups: { surging: 0.3, engaged: 0.2, aware: 0.5 },
        definitions: DEFINITIONS,
        clearedItems: cleared,
        seedSeconds,
        seedConcurrency: SEED_CONCURRENCY,
        scans,
        indexReads,
        changes,
        scanMs,
        keysThenBatchGetMs,
        rematerialiseMs: rematMs,
        ratio,
        callsPerAccount,
      },
    };
  },
};

interface Change {
  /** Until the membership was exactly the new one. */
  ms: number;
  /** Until the PUT answered. */
  putMs: number;
  /** Steps the job took (each within its time budget, then its continuation). */
  steps: number;
  /** What the job reports it did. */
  outcome: Rematerialised;
  joined: number;
  left: number;
  dynamo: DynamoCounts;
}

/**
 * The handlers' DynamoDB calls during a change, less those of the benchmark's own polling:
 * each poll reads the configuration (one BatchGetItem of its 7 sections) and the audience's
 * META item (one GetItem); the change itself reads neither but twice.
 */
function rematerialiseCalls(change: Change): number {
  const calls = Object.values(change.dynamo.byOperation).reduce((sum, o) => sum + o.calls, 0);
  const configReads = change.dynamo.readsByKind.CONFIG ?? 0;
  const metaReads = change.dynamo.readsByKind['audience meta (AUD# META)'] ?? 0;
  return calls - configReads / 7 - metaReads;
}

/** The `progress` of the re-materialisation job (`GET /v1/jobs/{id}`). */
interface Rematerialised {
  accounts: number;
  joined: number;
  left: number;
  refreshed: number;
  failed: number;
}

/** Pages through the whole table, keeping the account items, and evaluates `filter` on each stored score. */
async function scanAccounts(client: DynamoDBClient, tableName: string, filter: AudienceFilter) {
  const started = performance.now();
  let items = 0;
  let accounts = 0;
  let matching = 0;
  let pages = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'sk = :a AND attribute_exists(s)',
        ProjectionExpression: 'pk, s, #hold',
        ExpressionAttributeNames: { '#hold': 'hold' },
        ExpressionAttributeValues: { ':a': { S: 'A' } },
        ExclusiveStartKey: start,
      }),
    );
    pages++;
    items += out.ScannedCount ?? 0;
    for (const raw of out.Items ?? []) {
      const item = unmarshall(raw) as { s: ScoreSnapshot; hold?: { outcome?: string } };
      accounts++;
      if (matchesFilter(item.s, item.hold, filter)) matching++;
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return { ms: performance.now() - started, items, accounts, matching, pages };
}

/** The re-materialisation's own read of every scored account, with the definition evaluated on each. */
async function readIndexed(store: Store, filter: AudienceFilter) {
  const started = performance.now();
  const accounts = await store.accounts.audienceInputs(await store.accounts.scoredDomains());
  const matching = accounts.filter((a) => matchesFilter(a.score, a.hold, filter)).length;
  return { ms: performance.now() - started, accounts: accounts.length, matching };
}

type Api = (method: 'GET' | 'PUT', path: string, body?: unknown) => Promise<Record<string, unknown>>;

/**
 * One HTTP request with node:http, without a response timeout: a synchronous definition change
 * at 10k accounts can outlast fetch's 300 s header timeout on a slow machine.
 */
function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Polls until the audience is exactly `want`, however the design completes the change (in the
 * request, later, or in the background): the size first, then the listing, since the size
 * alone can pass through the right number while joins and leaves are still under way.
 */
async function waitForMembership(api: Api, want: Set<string>, startedAt: number): Promise<void> {
  for (;;) {
    const { audiences } = (await api('GET', '/v1/audiences')) as { audiences: { id: string; size: number }[] };
    const size = audiences.find((a) => a.id === AUDIENCE_ID)?.size;
    if (size === want.size && (await membershipDiff(api, want)).exact) return;
    if (performance.now() - startedAt > SETTLE_TIMEOUT_MS)
      throw new Error(`audience size ${size} after ${SETTLE_TIMEOUT_MS / 1000} s, expected ${want.size}`);
    await sleep(POLL_MS);
  }
}

/** Polls the re-materialisation job until it has ended; it must end done. */
async function waitForJob(api: Api, id: string, startedAt: number): Promise<{ steps: number; progress: Rematerialised }> {
  for (;;) {
    const job = (await api('GET', `/v1/jobs/${id}`)) as { status: string; steps: number; progress: Rematerialised };
    if (job.status === 'done') return job;
    if (job.status !== 'queued' && job.status !== 'running') throw new Error(`job ${id} ended ${job.status}`);
    if (performance.now() - startedAt > SETTLE_TIMEOUT_MS)
      throw new Error(`job ${id} still ${job.status} after ${SETTLE_TIMEOUT_MS / 1000} s`);
    await sleep(POLL_MS);
  }
}

/** The full member listing against `want`. */
async function membershipDiff(api: Api, want: Set<string>) {
  const got = new Set<string>();
  let page: string | undefined;
  do {
    const body = (await api('GET', `/v1/audiences/${AUDIENCE_ID}/members${page ? `?page=${encodeURIComponent(page)}` : ''}`)) as {
      members: { domain: string }[];
      nextPage?: string;
    };
    for (const m of body.members) got.add(m.domain);
    page = body.nextPage;
  } while (page);
  const missing = [...want].filter((d) => !got.has(d));
  const extra = [...got].filter((d) => !want.has(d));
  return { exact: missing.length === 0 && extra.length === 0, missing, extra };
}

/** The full member listing must be exactly the expected domains. */
async function verifyMembers(api: Api, want: Set<string>, when: string): Promise<void> {
  const { exact, missing, extra } = await membershipDiff(api, want);
  if (!exact)
    throw new Error(
      `membership ${when}: ${missing.length} missing (e.g. ${missing[0]}), ${extra.length} extra (e.g. ${extra[0]})`,
    );
}

/**
 * Deletes every item but the API keys (configuration falls back to the defaults), so both
 * measurements see only this benchmark's accounts: a definition change evaluates every scored
 * account of the table, and a Scan reads every item.
 */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

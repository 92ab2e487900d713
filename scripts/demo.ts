import { join } from 'node:path';
import { batchesInOrder, DemoClient, type QueueEntry, sendLimited } from './demo/client';
import { DEFAULT_SEED, generateDemo } from './demo/generate';
import { configureDemoDestinations, describeReceived, untilQuiet } from './demo/receivers';
import { behaviours, simulateSdrs } from './demo/sdrs';
import { setUpDemo } from './demo/setup';
import { SITES, serverWriteKeyOf, writeKeyOf } from './demo/sites';
import { adminKeyFrom, collectorUrl, dataDir, stackUrl } from './lib/stack-address';

/**
 * `npm run demo`: adds six owned media sites and their pods and audiences to the running stack's
 * configuration (`setUpDemo`), loads ~2000 accounts, replays a synthetic month of traffic
 * through `POST /v1/collect`, waits for the pipeline to settle and prints the top of every pod's
 * queue, how the scenario accounts came out and what local destination receivers got (a signed
 * webhook, Slack and HubSpot stand-ins, when the stack is local); then simulated SDRs give
 * feedback on every queued account by a hidden rule (`demo/sdrs.ts`), for `npm run calibrate` to
 * learn from. The stack is at INTENT_URL (default
 * http://127.0.0.1:$PORT); the key is INTENT_ADMIN_KEY or the data dir's development key;
 * DEMO_SEED, DEMO_SCALE and DEMO_SETTLE_SECONDS may be set.
 */

const BATCH = 100;
const IN_FLIGHT = 4;

const env = process.env;
const baseUrl = stackUrl(env);
const started = Date.now();
const secs = (from: number) => `${((Date.now() - from) / 1000).toFixed(1)} s`;
/** A progress line on a terminal, overwritten by the next one (and by the next log line). */
const progress = (line: string) => {
  if (process.stdout.isTTY) process.stdout.write(`\r${line}\x1b[K`);
};
const log = (line: string) => {
  if (process.stdout.isTTY) process.stdout.write('\r\x1b[K');
  console.log(line);
};

async function main() {
  const client = new DemoClient(baseUrl, adminKeyFrom(env), collectorUrl(env));
  if (!(await client.health()))
    throw new Error(`no stack answers ${baseUrl}/v1/health: start it with npm start, or set INTENT_URL`);

  const data = generateDemo({
    endDate: new Date(),
    seed: env.DEMO_SEED ? Number(env.DEMO_SEED) : undefined,
    scale: env.DEMO_SCALE ? Number(env.DEMO_SCALE) : undefined,
  });
  console.log(
    `demo against ${baseUrl}: ${data.events.length} events from ${SITES.length} sites, ${data.accounts.length} accounts (generated in ${secs(started)})`,
  );

  const { pods } = await setUpDemo(client, data, { backupDir: join(dataDir(env), 'config-backups'), log });
  const receivers = await configureDemoDestinations(client, baseUrl, log);
  const accepted = await postEvents(client, data.events);
  const tops = await settle(
    client,
    pods.map((p) => p.id),
    Object.values(data.scenarios),
    accepted,
  );

  for (const pod of pods) printPod(pod, tops.get(pod.id) ?? []);
  console.log('\nscenario accounts:');
  for (const [scenario, domain] of Object.entries(data.scenarios)) {
    const a = await client.account(domain);
    if (!a) {
      console.log(`  ${scenario.padEnd(20)} ${domain.padEnd(30)} never seen (no resolved events)`);
      continue;
    }
    const state = `tier ${a.fit?.tier ?? '?'}  ${a.intent.stage.padEnd(11)} ${a.salesReady ? `sales-ready -> ${a.pod}` : 'not sales-ready'}  priority ${a.priority}`;
    console.log(`  ${scenario.padEnd(20)} ${domain.padEnd(30)} ${state}\n  ${''.padEnd(20)} ${a.explanation[0] ?? ''}`);
  }
  // Simulated SDRs work the queues by a rule of their own (scripts/demo/sdrs.ts), so that
  // `npm run calibrate` has outcomes to learn from.
  const seed = env.DEMO_SEED ? Number(env.DEMO_SEED) : DEFAULT_SEED;
  const sdr = await simulateSdrs(
    client,
    pods.map((p) => p.id),
    behaviours(data.events),
    seed,
  );
  console.log(
    `\nsimulated SDRs judged ${sdr.judged} queued accounts: ${sdr.accepted} accepted, ${sdr.rejected} rejected, ${sdr.won} won later` +
      `${sdr.skipped ? ` (${sdr.skipped} accounts the demo did not make left alone)` : ''}; ` +
      'run `npm run calibrate` to see what their verdicts say about the signals and the ICP',
  );
  console.log('\naudiences:');
  for (const audience of await client.audiences()) {
    console.log(
      `  ${audience.id.padEnd(28)} ${audience.name.slice(0, 40).padEnd(40)} ${String(audience.size).padStart(5)} accounts`,
    );
  }
  if (receivers) {
    await untilQuiet(receivers);
    console.log('\ndestinations (local receivers):');
    for (const line of describeReceived(receivers.received)) console.log(line);
    await receivers.restore();
    await receivers.close();
  }
  console.log(`\ndemo finished in ${secs(started)}`);
}

/** Posts the events as the sites' snippets would; answers how many the collector accepted. */
async function postEvents(client: DemoClient, events: { writeKey: string; event: Record<string, unknown> }[]): Promise<number> {
  // Sent with each site's server key, without an Origin, as a forwarder sends: the simulated
  // visitors' addresses count (see serverWriteKeyOf), not this machine's.
  const serverKeys = new Map(SITES.map((s) => [writeKeyOf(s), serverWriteKeyOf(s)]));
  const batches = batchesInOrder(events, BATCH);
  const from = Date.now();
  let accepted = 0;
  const rejectedBy = new Map<string, number>();
  let done = 0;
  await sendLimited(batches, IN_FLIGHT, async (batch) => {
    const ua = String((batch.items[0]?.context as { userAgent?: string } | undefined)?.userAgent ?? 'Mozilla/5.0');
    const key = serverKeys.get(batch.writeKey) ?? batch.writeKey;
    const out = await client.collect(key, batch.items, ua);
    accepted += out.accepted;
    for (const r of out.rejected) rejectedBy.set(r.code, (rejectedBy.get(r.code) ?? 0) + 1);
    done++;
    progress(`  posted ${done}/${batches.length} batches`);
  });
  const rejected = [...rejectedBy.values()].reduce((a, b) => a + b, 0);
  const codes = [...rejectedBy].map(([c, n]) => `${c} ${n}`).join(', ');
  log(
    `events: ${events.length} sent in ${batches.length} batches in ${secs(from)}: ${accepted} accepted, ${rejected} rejected${codes ? ` (${codes})` : ''}, ` +
      `${events.length - accepted - rejected} dropped (bots)`,
  );
  return accepted;
}

/**
 * Waits for the pipeline to catch up: until the ingestion stats have counted every accepted
 * event (the rollup counts them as it rolls them up, and re-scores in the same batch), and
 * then every pod's top ten and the scenario accounts are the same three polls in a row, polled
 * once a second (at most DEMO_SETTLE_SECONDS, 120).
 */
async function settle(
  client: DemoClient,
  podIds: string[],
  scenarioDomains: string[],
  accepted: number,
): Promise<Map<string, QueueEntry[]>> {
  const from = Date.now();
  // The local rollup took 60-90 s to catch up with the demo month on a busy two-core machine.
  const maxMs = Number(env.DEMO_SETTLE_SECONDS ?? 120) * 1000;
  let last = '';
  let same = 0;
  let tops = new Map<string, QueueEntry[]>();
  while (Date.now() - from < maxMs) {
    const rolledUp = await client.rolledUp(new Date(from - 40 * 86_400_000));
    tops = new Map(await Promise.all(podIds.map(async (id) => [id, await client.podQueue(id, 10)] as const)));
    const accounts = await Promise.all(scenarioDomains.map((d) => client.account(d)));
    const unseen = accounts.filter((a) => !a).length;
    const print = JSON.stringify([
      [...tops].map(([id, q]) => [id, q.map((e) => [e.domain, e.priority, e.stage])]),
      accounts.map((a) => a && [a.priority, a.intent.stage, a.intent.score]),
    ]);
    same = print === last && unseen === 0 && rolledUp >= accepted ? same + 1 : 1;
    last = print;
    if (same >= 3) {
      log(`pipeline settled ${secs(from)} after the last batch (pod tops and scenario accounts unchanged for 3 polls)`);
      return tops;
    }
    progress(`  waiting for the pipeline: ${secs(from)}, ${rolledUp} of ${accepted} events rolled up`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  log(
    `warning: still changing after ${maxMs / 1000} s (set DEMO_SETTLE_SECONDS to wait longer); showing the queues as they are now`,
  );
  return tops;
}

function printPod(pod: { id: string; name: string }, top: QueueEntry[]) {
  console.log(`\npod ${pod.id} (${pod.name}): ${top.length ? `top ${top.length}` : 'empty'}`);
  top.forEach((e, i) => {
    console.log(
      `  ${String(i + 1).padStart(2)}. ${e.domain.padEnd(32)} ${e.name.slice(0, 26).padEnd(26)} priority ${String(e.priority).padStart(5)}  ${e.stage.padEnd(11)} tier ${e.fit?.tier ?? '?'}`,
    );
    for (const reason of e.reasons.slice(0, 3)) console.log(`        - ${reason}`);
  });
}

main().catch((err: unknown) => {
  console.error(`demo failed after ${secs(started)}: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

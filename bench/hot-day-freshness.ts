import type { LocalStack } from '@intent/local';
import { type LaneKeys, postBatch } from './hot-day-post';
import type { Api } from './hot-day-setup';
import {
  BATCH,
  batchAt,
  type HotDaySpec,
  MARKER_POD,
  raiseMarker,
  raiseMarkerDomain,
  readMarker,
  readMarkerDomain,
  restamp,
  TOPICS,
} from './hot-day-workload';
import { log, sleep } from './lib';

/** Between two markers, alternately an engaged read and a hand-raise: each kind once a second. */
const MARKER_EVERY_MS = 500;
/** Between two looks at an account or the queue while a marker is outstanding. */
const POLL_MS = 100;
/** A marker not visible after this long counts as never seen (an infinitely late sample). */
const MARKER_TIMEOUT_MS = 30_000;
/** Background requests in flight at most: the phase's rate is paced, this only bounds a stall. */
const MAX_IN_FLIGHT = 8;
const MARKER_TOPIC = TOPICS[1];

export interface FreshnessSamples {
  /** Seconds from the marker's 202 to it being visible; Infinity for a marker never seen. */
  seconds: number[];
  sent: number;
  /** Ticks when every marker account still had one outstanding (the read markers' round-robin was full). */
  skipped: number;
  failedPosts: number;
}

export interface SteadyResult {
  targetEventsPerSecond: number;
  eventsPerSecond: number;
  accepted: number;
  seconds: number;
  backgroundErrors: Record<string, number>;
  read: FreshnessSamples;
  raise: FreshnessSamples;
  /** GETs the markers' pollers made, and per second of the phase: what the measuring itself cost. */
  polls: number;
  pollsPerSecond: number;
}

/**
 * The steady phase: the workload's traffic, timestamped now, at `eventsPerSecond`, for
 * `seconds`, with a marker every 500 ms, alternately (a) an engaged read for one of
 * `readAccounts` accounts (round-robin, one outstanding per account), timed from its 202 until
 * `GET /v1/accounts/{domain}` shows the topic's reads one higher, and (b) a demo request by
 * the identified person of a fresh account, timed from its 202 until the account is in its
 * pod's queue. Each outstanding read marker has one poller; one poller pages the pod's queue
 * for all hand-raises: a handful of GETs at 10/s each, next to the background traffic.
 */
export async function steadyPhase(
  stack: LocalStack,
  api: Api,
  keys: LaneKeys,
  options: { spec: HotDaySpec; eventsPerSecond: number; seconds: number; readAccounts: number; raiseAccounts: number },
): Promise<SteadyResult> {
  const { spec, eventsPerSecond, seconds, readAccounts, raiseAccounts } = options;
  let polls = 0;
  const get = (path: string) => {
    polls++;
    return api('GET', path);
  };
  const readsOf = async (m: number): Promise<number | undefined> => {
    const res = await get(`/v1/accounts/${readMarkerDomain(m)}`);
    const topics = (res.body as { intent?: { topics?: { topic: string; reads: number }[] } } | undefined)?.intent?.topics;
    return res.status === 200 ? (topics?.find((t) => t.topic === MARKER_TOPIC)?.reads ?? 0) : undefined;
  };
  const lastReads = await Promise.all(Array.from({ length: readAccounts }, (_, m) => readsOf(m).then((n) => n ?? 0)));
  const busy = new Set<number>();
  const read: FreshnessSamples = { seconds: [], sent: 0, skipped: 0, failedPosts: 0 };
  const raise: FreshnessSamples = { seconds: [], sent: 0, skipped: 0, failedPosts: 0 };
  const markerWork: Promise<void>[] = [];

  const readMarkerOnce = async (m: number, n: number) => {
    const out = await postBatch(stack, keys, { lane: 'browser', events: [readMarker(m, n, MARKER_TOPIC, new Date())] });
    if (out.accepted !== 1) {
      read.failedPosts++;
      return;
    }
    const want = (lastReads[m] as number) + 1;
    while (performance.now() - out.at < MARKER_TIMEOUT_MS) {
      const reads = await readsOf(m);
      if (reads !== undefined && reads >= want) {
        read.seconds.push((performance.now() - out.at) / 1000);
        lastReads[m] = reads;
        return;
      }
      await sleep(POLL_MS);
    }
    read.seconds.push(Number.POSITIVE_INFINITY);
    lastReads[m] = (await readsOf(m)) ?? want;
  };

  // Hand-raises waiting to be seen in the queue: domain -> the 202's time.
  const waiting = new Map<string, number>();
  let phaseOver = false;
  const queuePoller = (async () => {
    while (!phaseOver || waiting.size) {
      if (waiting.size) {
        const seen = new Set<string>();
        let cursor: string | undefined;
        do {
          const res = await get(`/v1/pods/${MARKER_POD}/queue?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          const page = (res.body ?? {}) as { accounts?: { domain: string }[]; nextCursor?: string };
          for (const a of page.accounts ?? []) seen.add(a.domain);
          cursor = res.status === 200 ? page.nextCursor : undefined;
        } while (cursor);
        const now = performance.now();
        for (const [domain, at] of waiting) {
          if (seen.has(domain)) raise.seconds.push((now - at) / 1000);
          else if (now - at > MARKER_TIMEOUT_MS) raise.seconds.push(Number.POSITIVE_INFINITY);
          else continue;
          waiting.delete(domain);
        }
      }
      await sleep(POLL_MS);
    }
  })();

  const raiseMarkerOnce = async (m: number) => {
    const out = await postBatch(stack, keys, { lane: 'browser', events: [raiseMarker(m, new Date())] });
    if (out.accepted === 1) waiting.set(raiseMarkerDomain(m), out.at);
    else raise.failedPosts++;
  };

  // Background traffic, paced: as many events as the rate allows by now, in batches of 100.
  let nextBatch = 0;
  let accepted = 0;
  let inFlight = 0;
  const backgroundErrors: Record<string, number> = {};
  const background: Promise<void>[] = [];
  const sendBackground = async () => {
    inFlight++;
    try {
      const out = await postBatch(stack, keys, restamp(batchAt(spec, nextBatch++), new Date()));
      accepted += out.accepted;
      if (out.error) backgroundErrors[out.error] = (backgroundErrors[out.error] ?? 0) + 1;
    } finally {
      inFlight--;
    }
  };

  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let nextMarkerAt = t0 + MARKER_EVERY_MS;
  let turn = 0;
  let readTurn = 0;
  let raiseNext = 0;
  let readN = 0;
  let lastLog = t0;
  while (performance.now() < end) {
    const now = performance.now();
    while (nextBatch * BATCH < ((now - t0) / 1000) * eventsPerSecond && inFlight < MAX_IN_FLIGHT)
      background.push(sendBackground());
    if (now >= nextMarkerAt) {
      nextMarkerAt += MARKER_EVERY_MS;
      if (turn++ % 2 === 1 && raiseNext < raiseAccounts) {
        raise.sent++;
        markerWork.push(raiseMarkerOnce(raiseNext++));
      } else {
        const m = Array.from({ length: readAccounts }, (_, i) => (readTurn + i) % readAccounts).find((i) => !busy.has(i));
        if (m === undefined) read.skipped++;
        else {
          readTurn = m + 1;
          read.sent++;
          busy.add(m);
          markerWork.push(readMarkerOnce(m, readN++).finally(() => busy.delete(m)));
        }
      }
    }
    if (now - lastLog > 15_000) {
      lastLog = now;
      log(`steady: ${accepted} events accepted, ${read.seconds.length} read and ${raise.seconds.length} hand-raise markers seen`);
    }
    await sleep(10);
  }
  const phaseSeconds = (performance.now() - t0) / 1000;
  await Promise.all(background);
  await Promise.all(markerWork);
  phaseOver = true;
  await queuePoller;
  return {
    targetEventsPerSecond: eventsPerSecond,
    eventsPerSecond: accepted / phaseSeconds,
    accepted,
    seconds: phaseSeconds,
    backgroundErrors,
    read,
    raise,
    polls,
    pollsPerSecond: polls / phaseSeconds,
  };
}

/** Nearest-rank percentile of samples (Infinity for markers never seen), or NaN without samples. */
export function percentile(samples: number[], p: number): number {
  if (!samples.length) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

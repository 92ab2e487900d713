import {
  type BacktestSide,
  backtestSide,
  type CalibrationPush,
  type CalibrationReport,
  calibrate,
  decidedPushes,
  PushEvidence,
} from '@intent/calibration';
import type { Config } from '@intent/config';
import type { PushRecord, Store } from '@intent/store';

/**
 * The most pushes one calibration report reads: the newest in the window. With a snapshot of
 * 1-2 KB each that is 10-20 MB read in pages of CALIBRATION_PAGE, one page at a time (about
 * 20-40 queries), which keeps `GET /v1/calibration` well inside API Gateway's 29 seconds.
 * Beyond it the report covers only the newest pushes and says from when (`window.coveredFrom`).
 */
const MAX_CALIBRATION_PUSHES = 10_000;
const CALIBRATION_PAGE = 500;

export interface CalibrationWindow {
  from: string;
  to: string;
  /** When the pushes read stop short of `from` (more than `maxPushes` in the window): the report covers pushes after this instant. */
  coveredFrom: string | null;
  maxPushes: number;
  truncated: boolean;
}

export type CalibrationAnswer = { window: CalibrationWindow } & CalibrationReport;

/**
 * The calibration report of the pushes made in [from, to] across the configured pods, against
 * the current `signals` and `icp` sections. Reads each push's snapshot and joined feedback only.
 */
export async function calibrationReport(
  store: Store,
  config: Config,
  from: Date,
  to: Date,
  maxPushes = MAX_CALIBRATION_PUSHES,
): Promise<CalibrationAnswer> {
  const window = { from: from.toISOString(), to: to.toISOString() };
  const { pushes, coveredFrom } = await newestPushes(
    store,
    config.pods.pods.map((p) => p.id),
    window.from,
    window.to,
    maxPushes,
  );
  const report = calibrate(pushes.map(toCalibrationPush), { signals: config.signals, icp: config.icp });
  return { window: { ...window, coveredFrom: coveredFrom ?? null, maxPushes, truncated: coveredFrom !== undefined }, ...report };
}

/** How a candidate configuration would have done on the window's decided pushes, against the current one. */
export interface CandidateBacktest {
  window: CalibrationWindow;
  current: BacktestSide;
  candidate: BacktestSide;
}

/**
 * The backtest of a candidate `signals`/`icp` (what `POST /v1/config/{section}/preview` shows):
 * every decided push of [from, to] judged from its snapshot under the current and the candidate
 * configuration. A candidate written by hand was fitted on none of them, so all of them test it.
 */
export async function backtestCandidate(
  store: Store,
  current: Config,
  candidate: Config,
  from: Date,
  to: Date,
  maxPushes = MAX_CALIBRATION_PUSHES,
): Promise<CandidateBacktest> {
  const window = { from: from.toISOString(), to: to.toISOString() };
  const read = await newestPushes(
    store,
    current.pods.pods.map((p) => p.id),
    window.from,
    window.to,
    maxPushes,
  );
  const decided = decidedPushes(read.pushes.map(toCalibrationPush));
  return {
    window: { ...window, coveredFrom: read.coveredFrom ?? null, maxPushes, truncated: read.coveredFrom !== undefined },
    current: backtestSide(decided, current),
    candidate: backtestSide(decided, candidate),
  };
}

/**
 * At most `max` of the newest pushes in the window over every pod, read newest first a page at a
 * time, always from the pod whose pages reach least far back, so that when the budget runs out
 * every pod is covered back to the same instant (`coveredFrom`; pushes at or before it are
 * dropped, as some pod may have more there).
 */
async function newestPushes(
  store: Store,
  pods: string[],
  from: string,
  to: string,
  max: number,
): Promise<{ pushes: PushRecord[]; coveredFrom?: string }> {
  const states = pods.map((podId) => ({
    podId,
    oldest: undefined as string | undefined,
    next: undefined as object | undefined,
    done: false,
  }));
  const read: PushRecord[] = [];
  const reach = (s: (typeof states)[number]) => s.oldest ?? '~';
  for (;;) {
    const open = states.filter((s) => !s.done).sort((a, b) => (reach(a) < reach(b) ? 1 : reach(a) > reach(b) ? -1 : 0));
    const pod = open[0];
    if (!pod || read.length >= max) break;
    const page = await store.pushes.pageNewestFirst(
      pod.podId,
      from,
      to,
      Math.min(CALIBRATION_PAGE, max - read.length),
      pod.next as Record<string, unknown> | undefined,
    );
    read.push(...page.pushes);
    pod.oldest = page.pushes[page.pushes.length - 1]?.pushedAt ?? pod.oldest;
    pod.next = page.next;
    pod.done = !page.next;
  }
  const unfinished = states.filter((s) => !s.done).map((s) => s.oldest ?? to);
  if (unfinished.length === 0) return { pushes: read };
  // ISO instants: the latest sorts last.
  const coveredFrom = [...unfinished].sort().at(-1) as string;
  return { pushes: read.filter((p) => p.pushedAt > coveredFrom), coveredFrom };
}

/**
 * A push record as calibration reads it; a snapshot that does not parse counts as none. A push
 * recorded before feedback was joined to it has only its first verdict while queued (`outcome`).
 */
function toCalibrationPush(p: PushRecord): CalibrationPush {
  const evidence = p.evidence ? PushEvidence.safeParse(p.evidence) : undefined;
  const firstOutcome = p.firstOutcome ?? p.outcome;
  return {
    podId: p.podId,
    domain: p.domain,
    pushedAt: p.pushedAt,
    ...(evidence?.success && { evidence: evidence.data }),
    ...(firstOutcome && { firstOutcome }),
    outcomes: p.outcomes ?? (p.outcome ? [p.outcome] : []),
    ...(p.rejectReason && { rejectReason: p.rejectReason }),
  };
}

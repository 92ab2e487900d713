import type { SuiteOptions } from 'vitest';

/** Why a suite cannot run on this machine: what is skipped, and how to make it run. */
export interface SkipReason {
  /** What the skipped tests are, in the plural: "browser tests". */
  what: string;
  /** What is missing and how to provide it. */
  why: string;
}

declare module 'vitest' {
  interface TaskMeta {
    /** Set on tests skipped for a missing prerequisite; `test/skipped-reporter.ts` names them. */
    skippedBecause?: SkipReason;
  }
}

/**
 * Options for a `describe` that needs something this machine may lack (a browser): the suite
 * is skipped when `available` is false, and each of its tests carries the reason, so that
 * `npm test` ends by saying what it skipped and why instead of skipping in silence.
 */
export function skipUnless(available: boolean, reason: SkipReason): SuiteOptions {
  return available ? {} : { skip: true, meta: { skippedBecause: reason } };
}

/** One line per reason: `skipped: 13 browser tests (no Chromium at ...)`, in the order first met. */
export function skippedSummary(reasons: Iterable<SkipReason>): string[] {
  const counts = new Map<string, { reason: SkipReason; n: number }>();
  for (const reason of reasons) {
    const key = `${reason.what}\n${reason.why}`;
    const entry = counts.get(key) ?? { reason, n: 0 };
    entry.n++;
    counts.set(key, entry);
  }
  return [...counts.values()].map(
    ({ reason, n }) => `skipped: ${n} ${n === 1 ? reason.what.replace(/s$/, '') : reason.what} (${reason.why})`,
  );
}

import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { type SkipReason, skippedSummary } from './skips';

/**
 * Added after vitest's default reporter: ends the run with a line per prerequisite that was
 * missing (`skipped: 13 browser tests (no Chromium at /usr/bin/chromium; ...)`), so a run that
 * skipped suites never reads as "every test passed". Tests skipped for other reasons (the
 * conformance-only tests in the default project) carry no reason and are not listed.
 */
export default class SkippedReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const reasons: SkipReason[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests('skipped')) {
        const reason = test.meta().skippedBecause;
        if (reason) reasons.push(reason);
      }
    }
    for (const line of skippedSummary(reasons)) this.vitest?.logger.log(line);
  }
}

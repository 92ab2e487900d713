import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start their own DynamoDB stand-in and fauxqs on free ports; two cores here.
    pool: 'forks',
    maxWorkers: 2,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    // The default output, then a line per suite skipped for a missing prerequisite (no Chromium).
    reporters: ['default', './test/skipped-reporter.ts'],
    projects: [
      // Every test, the integration tests on dynalite (what `npm start` runs on).
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts'] } },
      // The integration tests again on the official DynamoDB Local (a Java child per stack), which
      // refuses what AWS refuses: items over 400 KB, expression strings over 4 KB. Every
      // integration file is in: together they write through every path of the pipeline
      // (collector, ingest queue, rollups, site activity, pending events, identity links,
      // stitching, erasure, scores, pod queues, audiences, claims, feedback, config, API keys,
      // IP ranges), and conformance-limits shows the limits themselves. One file is out:
      // - npm-start.test.ts: `npm start` as a subprocess (printing, Ctrl-C, saved queue messages);
      //   its one write path is skeleton.test.ts's, which also restarts on the same data dir here.
      {
        extends: true,
        test: {
          name: 'conformance',
          include: ['test/integration/**/*.test.ts'],
          exclude: ['test/integration/npm-start.test.ts'],
          env: { INTENT_DYNAMODB: 'ddb-local' },
        },
      },
    ],
  },
});

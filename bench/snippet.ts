import { trackerSizes } from '@intent/tracker';
import type { Benchmark } from './lib';

const GOAL_GZIP_BYTES = 4096;

/** What every page of every site downloads: the tracker without its settings. */
export const snippetBenchmark: Benchmark = {
  id: 'snippet',
  title: 'Snippet size',
  async run() {
    const { bytes, gzipBytes } = trackerSizes();
    return {
      rows: [
        { name: 'snippet bytes', value: bytes, unit: 'bytes', note: 'tracker.js without settings' },
        {
          name: 'snippet gzipped',
          value: gzipBytes,
          unit: 'bytes',
          note: `goal <= ${GOAL_GZIP_BYTES}${gzipBytes > GOAL_GZIP_BYTES ? ' (over)' : ''}`,
        },
      ],
      details: { bytes, gzipBytes, goalGzipBytes: GOAL_GZIP_BYTES },
    };
  },
};

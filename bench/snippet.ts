import type { Benchmark, Row } from './lib';
import { measureSnippetBatching } from './snippet-batching';
import { trackerSizes } from './tracker-sizes';

const GOAL_GZIP_BYTES = 4096;

/**
 * What every page of every site downloads: the tracker without its settings; and how it
 * batches, measured in Chromium (the events each of its requests carries: the cost model's
 * requests per browser event).
 */
export const snippetBenchmark: Benchmark = {
  id: 'snippet',
  title: 'Snippet size and batching',
  async run() {
    const { bytes, gzipBytes } = trackerSizes();
    const batching = await measureSnippetBatching();
    const batchingRows: Row[] = batching
      ? [
          {
            name: 'snippet events per request',
            value: batching.eventsPerRequest,
            unit: 'events/req',
            note: `a reader in Chromium reads 3 articles to their end and leaves: ${batching.events} events (${Object.entries(
              batching.byType,
            )
              .map(([t, n]) => `${n} ${t}`)
              .join(', ')}) in ${batching.requests} requests`,
          },
        ]
      : [];
    return {
      rows: [
        ...batchingRows,
        { name: 'snippet bytes', value: bytes, unit: 'bytes', note: 'tracker.js without settings' },
        {
          name: 'snippet gzipped',
          value: gzipBytes,
          unit: 'bytes',
          note: `goal <= ${GOAL_GZIP_BYTES}${gzipBytes > GOAL_GZIP_BYTES ? ' (over)' : ''}`,
        },
      ],
      details: {
        bytes,
        gzipBytes,
        goalGzipBytes: GOAL_GZIP_BYTES,
        ...(batching ? { eventsPerBrowserRequest: batching.eventsPerRequest, batching } : {}),
      },
    };
  },
};

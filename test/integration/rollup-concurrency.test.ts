import type { IngestMessage } from '@intent/events';
import { rollUp } from '@intent/pipeline';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rescoreAccounts } from '../../packages/pipeline/src/rescore';
import { sqsEvent } from '../handlers/events';
import {
  accepted,
  configWithTopics,
  event,
  lostRacesDuring,
  startTestStack,
  stopTestStack,
  storeRacing,
  type TestStack,
} from './harness';

/** Real handler, real dynalite: two consumers at once on the same accounts lose no update. */
describe('rollup consumers running concurrently', () => {
  let stack: TestStack;
  let rollup: (e: SQSEvent, c: unknown) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
  // What the collector would queue with these topics configured (messages go straight to the consumer).
  const config = configWithTopics(['data-warehousing', 'security']);

  beforeAll(async () => {
    stack = await startTestStack();
    // The very module the local runtime and the stack use, with the environment the runtime set.
    rollup = (await import('../../functions/rollup/handler')).handler as unknown as typeof rollup;
  });
  afterAll(() => stopTestStack(stack));

  const batchOf = (messages: IngestMessage[]): SQSEvent => sqsEvent(messages.map((m) => JSON.stringify(m)));

  it('counts every event of two overlapping batches processed at the same time', async () => {
    const accounts = ['one', 'two', 'three', 'four'].map((n) => `${n}.example`);
    const identifies = accounts.map((d, i) =>
      accepted(event({ type: 'identify', anonymousId: `c-${i}`, traits: { email: `p@${d}` } }), config),
    );
    expect((await rollup(batchOf(identifies), {})).batchItemFailures).toEqual([]);

    const reads = (n: number) =>
      Array.from({ length: n }, (_, k) =>
        accepted(
          event({
            type: 'track',
            event: 'content_read',
            anonymousId: `c-${k % accounts.length}`,
            properties: { topics: ['data-warehousing'] },
          }),
          config,
        ),
      );
    const [a, b] = [reads(60), reads(40)];
    // The handler's module and the test's store: two processes, racing on the items' versions.
    const results = await Promise.all([
      rollup(batchOf(a), {}).then((r) => r.batchItemFailures),
      rollUp(
        b.map((message, i) => ({ recordId: `b${i}`, message })),
        { store: stack.store, config, now: new Date(), erased: new Set<string>() },
      ).then((o) => o.failedRecordIds),
    ]);
    expect(results).toEqual([[], []]);

    for (const [i, domain] of accounts.entries()) {
      const expected = [...a, ...b].filter((m) => m.anonymousId === `c-${i}`).length;
      const res = await stack.api(`/v1/accounts/${domain}`, { key: stack.secrets.adminKey });
      expect(res.body.intent.topics.find((t: { topic: string }) => t.topic === 'data-warehousing')?.reads).toBe(expected);
    }
  });

  it('has the concurrent batches of one process re-score a shared account in turn, without racing on its version', async () => {
    const domain = 'shared.example';
    const identify = accepted(event({ type: 'identify', anonymousId: 'shared-1', traits: { email: `p@${domain}` } }), config);
    await rollUp([{ recordId: 'i', message: identify }], { store: stack.store, config, now: new Date(), erased: new Set() });
    const read = accepted(
      event({ type: 'track', event: 'content_read', anonymousId: 'shared-1', properties: { topics: ['security'] } }),
      config,
    );
    await stack.store.rollups.add({
      domain,
      day: read.timestamp.slice(0, 10),
      events: [{ id: read.id, slot: '00', signal: 'content_read', topics: ['security'], identified: true, person: 'p' }],
    });
    const deps = { store: stack.store, config, now: new Date() };
    const lostRaces = await lostRacesDuring(stack.dynamo, async () => {
      // Three batches of one process, each having read the account at the same version.
      const results = await Promise.all([1, 2, 3].map(() => rescoreAccounts([domain], deps, 8)));
      expect(results.flat().map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    });
    expect(lostRaces).toBe(0);
    const res = await stack.api(`/v1/accounts/${domain}`, { key: stack.secrets.adminKey });
    expect(res.body.intent.topics.find((t: { topic: string }) => t.topic === 'security')?.reads).toBe(1);
  });

  it('counts every event when batches of one new account-day roll up concurrently in one process', async () => {
    // The SDK tests' two concurrent requests: each batch identifies the visitor and counts a read.
    for (let round = 0; round < 8; round++) {
      const visitor = `new-${round}`;
      const domain = `concurrent-${round}.example`;
      const identify = accepted(event({ type: 'identify', anonymousId: visitor, traits: { email: `p@${domain}` } }), config);
      const read = () =>
        accepted(
          event({ type: 'track', event: 'content_read', anonymousId: visitor, properties: { topics: ['security'] } }),
          config,
        );
      const outcomes = await Promise.all(
        [1, 2, 3].map(() =>
          rollUp(
            [identify, read()].map((message, i) => ({ recordId: `n${i}`, message })),
            { store: stack.store, config, now: new Date(), erased: new Set<string>() },
          ),
        ),
      );
      expect(outcomes.flatMap((o) => o.failedRecordIds)).toEqual([]);
      const res = await stack.api(`/v1/accounts/${domain}`, { key: stack.secrets.adminKey });
      expect(res.body.intent.topics.find((t: { topic: string }) => t.topic === 'security')?.reads).toBe(3);
    }
  });

  it('counts a visitor identified by a concurrent batch while this batch keeps their reads pending', async () => {
    const reads = [1, 2, 3].map((n) =>
      accepted(
        event({
          type: 'track',
          event: 'content_read',
          anonymousId: 'racer',
          properties: { topics: ['security'], url: `https://x.example/r${n}` },
        }),
        config,
      ),
    );
    const identify = accepted(event({ type: 'identify', anonymousId: 'racer', traits: { email: 'r@racer.example' } }), config);
    // The identify's batch runs right after this batch read its links and before it writes:
    // it stitches the visitor's pending events, which this batch has not written yet.
    const store = storeRacing(stack, async () => {
      expect((await rollup(batchOf([identify]), {})).batchItemFailures).toEqual([]);
    });
    const outcome = await rollUp(
      reads.map((message, i) => ({ recordId: `r${i}`, message })),
      { store, config, now: new Date(), erased: new Set<string>() },
    );
    expect(outcome.failedRecordIds).toEqual([]);
    const res = await stack.api('/v1/accounts/racer.example', { key: stack.secrets.adminKey });
    expect(res.body.intent.topics.find((t: { topic: string }) => t.topic === 'security')?.reads).toBe(3);
  });
});

import type { IngestMessage } from '@intent/events';
import { addDays, dayOf } from '@intent/intent';
import { rollUp } from '@intent/pipeline';
import { Store } from '@intent/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accepted, configWithTopics, event, queriesDuring, startTestStack, stopTestStack, type TestStack } from './harness';

/**
 * A re-score after a batch's writes takes the account's rollups from what its process knows
 * (its own writes' exact views) instead of reading them, unless another process wrote a day it
 * does not know: the basis saved with the last score says so (docs/storage.md).
 */
describe('re-scores from the rollups a process knows', () => {
  let stack: TestStack;
  const config = configWithTopics(['security']);
  const domain = 'windows.example';

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stopTestStack(stack));

  const read = (at: Date, anonymousId = 'w-1') =>
    accepted(
      event({
        type: 'track',
        event: 'content_read',
        anonymousId,
        timestamp: at.toISOString(),
        properties: { topics: ['security'] },
      }),
      config,
    );
  const rollUpIn = async (store: Store, messages: IngestMessage[]) => {
    const outcome = await rollUp(
      messages.map((message, i) => ({ recordId: `r${i}`, message })),
      { store, config, now: new Date(), erased: new Set<string>() },
    );
    expect(outcome.failedRecordIds).toEqual([]);
  };
  const reads = async (of = domain) => {
    const res = await stack.api(`/v1/accounts/${of}`, { key: stack.secrets.adminKey });
    return res.body.intent.topics.find((t: { topic: string }) => t.topic === 'security')?.reads;
  };

  it('reads no rollups for a batch of an account whose days it knows, and counts every batch', async () => {
    const identify = accepted(event({ type: 'identify', anonymousId: 'w-1', traits: { email: `p@${domain}` } }), config);
    await rollUpIn(stack.store, [identify, read(new Date())]);
    expect(await reads()).toBe(1);

    const queries = await queriesDuring(stack.dynamo, () => rollUpIn(stack.store, [read(new Date()), read(new Date())]));
    expect(queries).toBe(0);
    expect(await reads()).toBe(3);
  });

  it('counts every event when batches of one account-day roll up concurrently in one process', async () => {
    // A re-score's read answered before another batch's write must not take this process's
    // view of the day back to the older version (the SDK tests' two concurrent requests).
    // Each round is a new account: its first re-scores have no basis yet and read.
    for (let round = 0; round < 8; round++) {
      const visitor = `c-${round}`;
      const company = `concurrent-${round}.example`;
      const identify = accepted(event({ type: 'identify', anonymousId: visitor, traits: { email: `p@${company}` } }), config);
      await Promise.all([1, 2, 3].map(() => rollUpIn(stack.store, [identify, read(new Date(), visitor)])));
      expect(await reads(company)).toBe(3);
    }
  });

  it('reads them again when another process wrote a day this one does not know, and counts it', async () => {
    // Another process (its own store and caches) counts a late read of yesterday and re-scores.
    const other = new Store(stack.dynamo, 'intent-pipeline');
    const yesterday = new Date(Date.parse(`${addDays(dayOf(new Date()), -1)}T12:00:00Z`));
    await rollUpIn(other, [read(yesterday)]);
    expect(await reads()).toBe(4);

    // This process knows today only: the saved basis names yesterday, so it reads.
    const queries = await queriesDuring(stack.dynamo, () => rollUpIn(stack.store, [read(new Date())]));
    expect(queries).toBeGreaterThan(0);
    expect(await reads()).toBe(5);
  });
});

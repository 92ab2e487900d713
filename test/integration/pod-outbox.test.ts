import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { sqs } from '@intent/pipeline';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { OUTBOX_GRACE_MS } from '../../packages/pipeline/src/rescore';
import { collectAndDrain, consumePodQueue, visitEvents } from './accounts-helpers';
import { startTestStack, stopTestStack, type TestStack, waitForJob } from './harness';

/**
 * Pod messages at least once: a re-score saves its messages in the account's outbox with the
 * score; a send that fails leaves them there, and a later re-score (the next batch that
 * touches the account, or the hourly decay walk) sends them, once, under the same id.
 */
describe('pod message outbox', () => {
  let stack: TestStack;
  let podUrl: string;

  beforeAll(async () => {
    stack = await startTestStack();
    podUrl = stack.queues['pod-default']?.url as string;
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });
  afterAll(() => stopTestStack(stack));

  /** Every SendMessageBatch to the default pod's queue fails (all of sendAll's attempts) until restored. */
  const podSendsFail = () => {
    const send = sqs.send.bind(sqs);
    return vi.spyOn(sqs, 'send').mockImplementation(((command: unknown, ...rest: unknown[]) => {
      if (command instanceof SendMessageBatchCommand && command.input.QueueUrl === podUrl) {
        return Promise.reject(Object.assign(new Error('SQS is unavailable'), { name: 'ServiceUnavailable' }));
      }
      return (send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
    }) as typeof sqs.send);
  };
  const outboxOf = async (domain: string) => (await stack.store.accounts.get(domain, true))?.outbox ?? [];
  /** Moves the clock (Date only, still ticking: timers stay real) past the outbox's grace. */
  const afterGrace = () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.now() + OUTBOX_GRACE_MS + 5_000);
  };

  it('keeps a message whose send failed and sends it with the next batch after the grace, once, same id', async () => {
    const failing = podSendsFail();
    await collectAndDrain(stack, visitEvents('retry.example', 'ann', ['pricing_view']));
    failing.mockRestore();
    expect(await consumePodQueue(stack, 'default')).toEqual([]);
    const [kept] = await outboxOf('retry.example');
    expect(kept).toMatchObject({ type: 'account.qualified', domain: 'retry.example', id: expect.any(String) });

    // Within the grace the invocation that saved a message is assumed to be sending it: no copy.
    await collectAndDrain(stack, visitEvents('retry.example', 'ben', ['content_read']));
    expect((await consumePodQueue(stack, 'default')).filter((m) => m.type === 'account.qualified')).toEqual([]);

    afterGrace();
    await collectAndDrain(stack, visitEvents('retry.example', 'cat', ['content_read']));
    const sent = await consumePodQueue(stack, 'default');
    expect(sent.filter((m) => m.type === 'account.qualified')).toEqual([kept]);
    expect(await outboxOf('retry.example')).toEqual([]);

    await collectAndDrain(stack, visitEvents('retry.example', 'dan', ['pricing_view']));
    expect((await consumePodQueue(stack, 'default')).filter((m) => m.type === 'account.qualified')).toEqual([]);
  });

  it('sends what an untouched account still holds from the hourly decay walk, once, same id', async () => {
    const failing = podSendsFail();
    await collectAndDrain(stack, visitEvents('walk.example', 'eve', ['pricing_view']));
    failing.mockRestore();
    const [kept] = await outboxOf('walk.example');
    expect(kept?.type).toBe('account.qualified');

    afterGrace();
    const run = (await stack.runSchedule('rescore')) as { started: string[] };
    for (const job of run.started) await waitForJob(stack, job);
    const sent = await consumePodQueue(stack, 'default');
    expect(sent.filter((m) => m.domain === 'walk.example')).toEqual([kept]);
    expect(await outboxOf('walk.example')).toEqual([]);
  });
});

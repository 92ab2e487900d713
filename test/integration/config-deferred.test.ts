import { CreateQueueCommand, DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../default-config';
import { send } from './accounts-helpers';
import { startTestStack, stopTestStack, type TestStack, waitForJob } from './harness';

/**
 * A configuration change is stored before its re-score starts. When the re-score cannot be
 * started (here: the jobs queue is gone, so its first steps cannot be sent), the `PUT` answers
 * 200 with what it stored and the work it left to the schedule, never a 500 for a change that
 * took effect; the hourly schedule then starts that re-score.
 */
describe('a configuration change whose job cannot start now', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stopTestStack(stack));

  it('answers what it stored and what it deferred, and the schedule starts the deferred re-score', async () => {
    const jobsUrl = stack.queues.jobs?.url ?? '';
    await stack.sqs.send(new DeleteQueueCommand({ QueueUrl: jobsUrl }));
    const signals = { ...defaultConfig().signals, windowDays: 21 };

    const res = await send(stack, 'PUT', '/v1/config/signals', signals);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ section: 'signals', value: { windowDays: 21 }, rescore: { status: 'deferred' } });
    expect(res.body.rescore.message).toMatch(/stored.*hourly schedule/);
    expect((await send(stack, 'GET', '/v1/config/signals')).body.windowDays).toBe(21);

    await stack.sqs.send(new CreateQueueCommand({ QueueName: 'jobs' }));
    await stack.runSchedule('rescore');
    const { jobs } = (await send(stack, 'GET', '/v1/jobs')).body;
    const rescore = jobs.find((j: { kind: string }) => j.kind === 'rescore');
    expect(rescore).toMatchObject({ trigger: { section: 'signals', revision: res.body.revision } });
    expect((await waitForJob(stack, rescore.id)).status).toBe('done');
  });
});

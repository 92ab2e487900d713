import type { Config } from '@intent/config';
import type { ServiceDeps } from '@intent/pipeline';
import { JobMessage, type PodMessage, runStep, type StepDeps, type StepOutcome } from '@intent/pipeline';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRematerialisation } from '../../packages/pipeline/src/rematerialise';
import { rescoreAccounts } from '../../packages/pipeline/src/rescore';
import { startRescore } from '../../packages/pipeline/src/rescore-stale';
import { defaultConfig } from '../default-config';
import { collectAndDrain, consumePodQueue, send, visitEvents } from './accounts-helpers';
import { startTestStack, stopTestStack, type TestStack, waitForJob } from './harness';

/**
 * The decay walk in one go, without a job's time budget: every account with live intent or a
 * queue place re-scored (saved only if it changed); what the resumable walks must agree with.
 */
async function rescoreStale(deps: ServiceDeps): Promise<{ scanned: number; saved: number; failed: number }> {
  const domains = await deps.store.accounts.liveDomains();
  const results = await rescoreAccounts(domains, deps, 8);
  return {
    scanned: domains.length,
    saved: results.filter((r) => r.status === 'fulfilled' && r.value.outcome === 'saved').length,
    failed: results.filter((r) => r.status === 'rejected').length,
  };
}

/**
 * Resumable jobs on the real stack (dynalite, fauxqs, the real handlers and the jobs queue's
 * poller), with a job budget of 0 ms: every step does one account and sends its continuation,
 * so each walk below takes many steps. The end result must be what a walk done in one go gives,
 * and a step delivered twice must count, write and send once.
 */
describe('resumable jobs', () => {
  let stack: TestStack;
  const domains = Array.from({ length: 20 }, (_, i) => `acct${String(i).padStart(2, '0')}.example`);
  const raisers = domains.filter((_, i) => i % 2 === 0);
  const signals = (pricing: number): Config['signals'] => {
    const base = defaultConfig().signals;
    return { ...base, weights: { ...base.weights, pricing_view: pricing } };
  };
  const oneGo = async () => rescoreStale({ store: stack.store, config: await stack.store.config.getAll(true), now: new Date() });
  /**
   * Runs a job's messages (`sent`, and the continuations they send) to the end, each delivered
   * twice at once and then once more after those are done; answers what each delivery did and
   * the steps delivered, in order.
   */
  const deliverTwice = async (deps: StepDeps, sent: string[]) => {
    const outcomes: StepOutcome[] = [];
    const delivered: string[] = [];
    for (let queue = sent.splice(0); queue.length; queue = sent.splice(0)) {
      for (const body of queue) {
        const message = JobMessage.parse(JSON.parse(body));
        delivered.push(`${message.shard}/${message.step}`);
        const twice = await Promise.allSettled([runStep(deps, message, 0), runStep(deps, message, 0)]);
        outcomes.push(...twice.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
        outcomes.push(await runStep(deps, message, 0));
      }
    }
    return { outcomes, delivered };
  };
  const latestJobs = async () => (await send(stack, 'GET', '/v1/jobs')).body.jobs as { id: string; kind: string }[];

  beforeAll(async () => {
    stack = await startTestStack({ jobBudgetMs: 0 });
    await collectAndDrain(
      stack,
      domains.flatMap((d, i) => visitEvents(d, 'pat', i % 2 === 0 ? ['pricing_view'] : ['content_read', 'content_read'])),
    );
    expect((await stack.store.accounts.liveDomains()).sort()).toEqual(domains);
    await consumePodQueue(stack, 'default');
  });
  afterAll(() => stopTestStack(stack));

  it('answers a configuration change at once, and re-scores every account in a job of many steps', async () => {
    const res = await send(stack, 'PUT', '/v1/config/signals', signals(20));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      section: 'signals',
      value: signals(20),
      revision: expect.any(Number),
      rescore: { job: expect.any(String), status: 'queued' },
    });
    const job = await waitForJob(stack, res.body.rescore.job);
    expect(job).toMatchObject({
      kind: 'rescore',
      status: 'done',
      trigger: { section: 'signals', revision: res.body.revision },
      shards: { total: 16, done: 16 },
      // Each account walked exactly once; only the hand-raisers' scores depend on the weight.
      progress: { accounts: domains.length, saved: raisers.length, failed: 0 },
    });
    expect(job.steps).toBeGreaterThanOrEqual(domains.length);

    // The same walk done in one go finds nothing left to change: the job's result is its result.
    expect(await oneGo()).toMatchObject({ scanned: domains.length, saved: 0, failed: 0 });
    // Each hand-raiser's new priority was announced once.
    const updates = (await consumePodQueue(stack, 'default')).map((m) => `${m.type} ${m.domain}`);
    expect(updates.sort()).toEqual(raisers.map((d) => `account.updated ${d}`));
    expect((await send(stack, 'GET', `/v1/jobs/${job.id}`, undefined, stack.secrets.marketingKey)).status).toBe(403);
    expect((await send(stack, 'GET', '/v1/jobs/no-such-job')).status).toBe(404);
  });

  it('runs the hourly decay walk as a job over the live accounts, one at a time', async () => {
    const first = (await stack.runSchedule('rescore')) as { started: string[] };
    expect(first.started).toHaveLength(1);
    // The walk is still moving: the next run leaves it to finish instead of starting over.
    expect(await stack.runSchedule('rescore')).toEqual({ started: [] });
    const job = await waitForJob(stack, first.started[0] as string);
    expect(job).toMatchObject({
      kind: 'decay',
      status: 'done',
      shards: { total: 8, done: 8 },
      progress: { accounts: domains.length, saved: 0, failed: 0 },
    });
    expect((await latestJobs()).find((j) => j.kind === 'decay')?.id).toBe(job.id);
  });

  it('supersedes the job of a change with the job of a newer one', async () => {
    const older = await send(stack, 'PUT', '/v1/config/signals', signals(25));
    const newer = await send(stack, 'PUT', '/v1/config/signals', signals(15));
    expect(await waitForJob(stack, older.body.rescore.job)).toMatchObject({ status: 'superseded' });
    expect(await waitForJob(stack, newer.body.rescore.job)).toMatchObject({
      status: 'done',
      progress: { accounts: domains.length, failed: 0 },
    });
    expect(await oneGo()).toMatchObject({ saved: 0 });
    await consumePodQueue(stack, 'default');
  });

  it('counts, writes and sends once for a step delivered twice, at once or after its commit', async () => {
    const sent: string[] = [];
    const published: PodMessage[] = [];
    let loseSends = 1;
    const deps: StepDeps = {
      store: stack.store,
      clock: () => new Date(),
      sendJobMessages: async (bodies) => {
        // One continuation is lost after its step committed: the redelivery must send it.
        if (bodies.length === 1 && JSON.parse(bodies[0] as string).step === 1 && loseSends-- > 0) throw new Error('lost');
        sent.push(...bodies);
      },
      publishPodMessages: async (messages) => void published.push(...messages),
    };
    const revision = await stack.store.config.put('signals', signals(30), new Date());
    const job = await startRescore(deps, 'signals', revision);
    const { outcomes, delivered } = await deliverTwice(deps, sent);
    // Every step was sent once (the lost one by its redelivery), none twice.
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(outcomes).toContain('resent');
    // A twin delivered while its step is worked on leaves it to the delivery holding its lease.
    expect(outcomes).toContain('busy');
    const done = await waitForJob(stack, job.id);
    expect(done).toMatchObject({
      status: 'done',
      progress: { accounts: domains.length, saved: raisers.length, failed: 0 },
    });
    expect(done.steps).toBe(delivered.length);
    // Each hand-raiser's change was published once, whoever of the twin deliveries made it.
    expect(published.map((m) => m.domain).sort()).toEqual(raisers);
    expect(await oneGo()).toMatchObject({ saved: 0 });

    // Through the handler: a step of the finished job, redelivered, is dropped and changes nothing.
    const { handler } = await import('../../functions/rescore/handler');
    const { lambdaContext } = await import('../../packages/local/src/lambda-context');
    const old = JSON.stringify({ v: 1, job: job.id, shard: 0, step: 0 });
    const event = {
      Records: [{ messageId: 'm-1', body: old, attributes: { ApproximateReceiveCount: '2' } }],
    } as unknown as SQSEvent;
    expect(await handler(event, lambdaContext('rescore', 300_000))).toEqual({ batchItemFailures: [] });
    expect(await waitForJob(stack, job.id)).toEqual(done);
  });

  it('lets the redelivery of a step that failed work it at once, counting it once', async () => {
    const sent: string[] = [];
    let down = true;
    const deps: StepDeps = {
      store: stack.store,
      clock: () => new Date(),
      sendJobMessages: async (bodies) => void sent.push(...bodies),
      publishPodMessages: async () => {
        if (down) {
          down = false;
          throw new Error('pod queue down');
        }
      },
    };
    const revision = await stack.store.config.put('signals', signals(35), new Date());
    const job = await startRescore(deps, 'signals', revision);
    const first = JobMessage.parse(JSON.parse(sent[0] as string));
    await expect(runStep(deps, first, 0)).rejects.toThrow('pod queue down');
    // Its lease was given back: the redelivery does not wait for it to expire.
    expect(['continued', 'shard-done']).toContain(await runStep(deps, first, 0));
    await deliverTwice(deps, sent);
    expect(await waitForJob(stack, job.id)).toMatchObject({
      status: 'done',
      progress: { accounts: domains.length, saved: raisers.length, failed: 0 },
    });
    await consumePodQueue(stack, 'default');
  });

  it('re-materialises audiences in a job that resumes by itself, as one go would', async () => {
    const res = await send(stack, 'PUT', '/v1/config/audiences', {
      audiences: [{ id: 'raisers', name: 'Hand-raisers', filter: { stages: ['hand_raiser'] } }],
    });
    expect(res.body.rematerialise).toMatchObject({ job: expect.any(String), status: 'queued' });
    const job = await waitForJob(stack, res.body.rematerialise.job);
    expect(job).toMatchObject({
      kind: 'rematerialise',
      status: 'done',
      shards: { total: 17, done: 17 },
      progress: { accounts: domains.length, joined: raisers.length, left: 0, failed: 0 },
    });
    expect(job.steps).toBeGreaterThan(17);
    const members = await stack.api('/v1/audiences/raisers/members', { key: stack.secrets.marketingKey });
    expect(members.body.members.map((m: { domain: string }) => m.domain)).toEqual(raisers);
    // Logged once each: the log holds exactly the joins, and the size agrees.
    expect(await stack.store.audiences.logAfter('raisers', 0)).toHaveLength(raisers.length);
    expect((await stack.store.audiences.meta('raisers')).size).toBe(raisers.length);
    expect((await stack.store.audiences.materialised(['raisers'])).get('raisers')).toBe(res.body.revision);
  });

  it('logs and publishes each join once when re-materialisation steps are delivered twice', async () => {
    const sent: string[] = [];
    const published: string[] = [];
    const deps: StepDeps = {
      store: stack.store,
      clock: () => new Date(),
      sendJobMessages: async (bodies) => void sent.push(...bodies),
      publishPodMessages: async () => undefined,
      publishAudienceChanges: async (messages) =>
        void published.push(...messages.map((m) => `${m.audienceId} ${m.type} ${m.domain}`)),
    };
    const definitions = { audiences: [{ id: 'readers', name: 'Readers', filter: { stages: ['engaged'] } }] };
    await stack.store.config.put('audiences', definitions as Config['audiences'], new Date());
    const started = await startRematerialisation(deps, await stack.store.config.getAll(true));
    const { delivered } = await deliverTwice(deps, sent);
    expect(new Set(delivered).size).toBe(delivered.length);
    const readers = domains.filter((d) => !raisers.includes(d));
    expect(await waitForJob(stack, started.job?.id as string)).toMatchObject({
      status: 'done',
      // The hand-raisers leave the audience the previous definitions had.
      progress: { accounts: domains.length, joined: readers.length, left: raisers.length, failed: 0 },
    });
    expect(published.sort()).toEqual([
      ...raisers.map((d) => `raisers audience.member_removed ${d}`),
      ...readers.map((d) => `readers audience.member_added ${d}`),
    ]);
    expect((await stack.store.audiences.logAfter('readers', 0)).map((e) => e.domain).sort()).toEqual(readers);
    expect((await stack.store.audiences.meta('readers')).size).toBe(readers.length);
  });
});

import { readLocalEndpoints } from '@intent/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, httpEvent } from '../handlers/events';
import { collectAndDrain, consumePodQueue, queueDomains, send, upsert, visitEvents } from './accounts-helpers';
import { eventually, jobOf, peek, startTestStack, stopTestStack, type TestStack, waitForJob } from './harness';

/** The pods section: these pods, then the starter's catch-all `default`. */
const pods = (...extra: { id: string; name: string; match: Record<string, unknown> }[]) => ({
  pods: [...extra, { id: 'default', name: 'Everyone else', match: {} }],
});
const emea = { id: 'emea', name: 'EMEA', match: { regions: ['emea'] } };
// One admin key for every stack of the file: the api module, loaded once, keeps the first one's.
const adminKey = 'ik_test_pod_queues_admin_key';

/**
 * A pod added by configuration gets its SQS queue at once, locally: the consumers publish to it
 * without a restart, and a restart says what it could not restore for a pod no longer configured.
 */
describe('pod queues follow the pods configuration', () => {
  let stack: TestStack;
  const warnings: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack({ adminKey, onWarning: (line) => warnings.push(line) });
    const rows = await upsert(stack, [{ domain: 'brightwave.example', country: 'GB', region: 'emea' }]);
    expect(rows.status).toBe(200);
  });
  afterAll(() => stopTestStack(stack));

  it('makes a new pod’s queue when the configuration names it, so a hand-raise routed to it reaches it', async () => {
    expect(stack.queues['pod-emea']).toBeUndefined();
    const put = await send(stack, 'PUT', '/v1/config/pods', pods(emea));
    expect(put.status).toBe(200);
    expect(put.body.needsDeploy).toEqual([]);
    expect(stack.queues['pod-emea']?.url).toBeTruthy();
    // Listed for integrations beside the stack's other queues.
    expect(readLocalEndpoints(stack.dataDir)?.queues).toMatchObject({
      'pod-emea': { url: stack.queues['pod-emea']?.url },
      'pod-default': { url: stack.queues['pod-default']?.url },
      audiences: { url: stack.queues.audiences?.url },
      ingest: { url: stack.queues.ingest?.url, dlqUrl: expect.any(String) },
    });
    await waitForJob(stack, jobOf(put.body) as string);

    await collectAndDrain(stack, visitEvents('brightwave.example', 'ana', ['pricing_view']));
    expect(await queueDomains(stack, 'emea')).toEqual(['brightwave.example']);
    const messages = await eventually(async () => {
      const got = await peek(stack, stack.queues['pod-emea']?.url as string);
      return got.length ? got : undefined;
    });
    expect(messages).toEqual([
      expect.objectContaining({ type: 'account.qualified', domain: 'brightwave.example', podId: 'emea' }),
    ]);
  });

  it('answers needsDeploy for a pod the function has no queue URL for, as in AWS before a deploy', async () => {
    // The api function alone, as AWS invokes it: nothing in front of it makes queues. Imported
    // now, as the stack did: it reads its variables, set by the stack, at cold start.
    const { handler: apiHandler } = await import('../../functions/api/handler');
    const event = httpEvent('PUT /v1/config/{section}', pods({ id: 'apac', name: 'APAC', match: { regions: ['apac'] } }, emea), {
      authorization: `Bearer ${stack.secrets.adminKey}`,
    });
    event.pathParameters = { section: 'pods' };
    const res = await apiHandler(event, context);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body as string).needsDeploy).toEqual(['apac']);
    await waitForJob(stack, jobOf(JSON.parse(res.body as string)) as string);
    expect(stack.queues['pod-apac']).toBeUndefined();
  });

  it('makes no queue for a refused change: a key without the admin scope, or an invalid section', async () => {
    const sdr = await send(
      stack,
      'PUT',
      '/v1/config/pods',
      pods({ id: 'latam', name: 'LATAM', match: {} }),
      stack.secrets.sdrKey,
    );
    expect(sdr.status).toBe(403);
    const invalid = await send(stack, 'PUT', '/v1/config/pods', { pods: [{ id: 'Not An Id', name: 'x' }] });
    expect(invalid.status).toBe(400);
    expect(Object.keys(stack.queues).filter((id) => id.startsWith('pod-'))).toEqual(['pod-default', 'pod-emea']);
  });

  it('warns on restart, naming the pod and the count, when saved messages belong to a pod no longer configured', async () => {
    await consumePodQueue(stack, 'emea');
    await collectAndDrain(stack, visitEvents('brightwave.example', 'ben', ['demo_request']));
    const waiting = await eventually(async () => {
      const got = await peek(stack, stack.queues['pod-emea']?.url as string);
      return got.length ? got : undefined;
    });
    // Out of the configuration; the pod's queue and what is on it stay until the stop saves them.
    const put = await send(stack, 'PUT', '/v1/config/pods', pods());
    await waitForJob(stack, jobOf(put.body) as string);
    const onEmea = (await peek(stack, stack.queues['pod-emea']?.url as string)).length;
    expect(onEmea).toBeGreaterThanOrEqual(waiting.length);
    await stack.stop();

    const restarted = await startTestStack({ adminKey, dataDir: stack.dataDir, onWarning: (line) => warnings.push(line) });
    stack = restarted;
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^warning: ${onEmea} saved messages for pod "emea", which is no longer configured`)),
    ]);
    expect(stack.queues['pod-emea']).toBeUndefined();
  });
});

describe('pod queues under npm start’s worker threads', () => {
  it('tells the consumers in worker threads about a new pod’s queue, so the rollup publishes to it', async () => {
    // Each worker has its own copy of the environment, where the handler reads the queue URLs.
    const stack = await startTestStack({ adminKey, workerThreads: true });
    try {
      await upsert(stack, [{ domain: 'brightwave.example', country: 'GB', region: 'emea' }]);
      const put = await send(stack, 'PUT', '/v1/config/pods', pods(emea));
      expect(put.status).toBe(200);
      await collectAndDrain(stack, visitEvents('brightwave.example', 'ana', ['pricing_view']));
      const messages = await eventually(async () => {
        const got = await peek(stack, stack.queues['pod-emea']?.url as string);
        return got.length ? got : undefined;
      });
      expect(messages).toEqual([expect.objectContaining({ type: 'account.qualified', podId: 'emea' })]);
    } finally {
      await stack.stop();
      stack.cleanup();
    }
  });
});

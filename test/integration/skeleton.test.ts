import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureTopics, event, eventually, peek, startTestStack, stopTestStack, type TestStack } from './harness';

describe('the walking skeleton: collector -> SQS -> rollup -> DynamoDB -> score -> pod queue', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
    await configureTopics(stack, ['data-warehousing']);
  });
  afterAll(() => stopTestStack(stack));

  it('answers health once ready', async () => {
    expect((await stack.api('/v1/health')).status).toBe(200);
  });

  it('puts an identified pricing-page visitor in the default pod queue within seconds', async () => {
    const posted = await stack.collect([
      event({ type: 'identify', anonymousId: 'v1', traits: { email: 'jane@acme.example' } }),
      event({ type: 'track', event: 'pricing_view', anonymousId: 'v1', properties: { url: 'https://dev.example/pricing' } }),
    ]);
    expect(posted).toEqual({ status: 202, body: { accepted: 2, rejected: [] } });

    const started = Date.now();
    const queue = await eventually(async () => {
      const res = await stack.api('/v1/pods/default/queue', { key: stack.secrets.sdrKey });
      return res.body.accounts.length ? res.body : undefined;
    }, 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    const [account] = queue.accounts;
    expect(account).toMatchObject({ domain: 'acme.example', stage: 'hand_raiser', fit: { tier: 'B' } });
    expect(account.reasons.join(' ')).toMatch(/pricing-page visit/);
    expect(account.pushedAt).toBeTruthy();

    const messages = await eventually(async () => {
      const got = await peek(stack, stack.queues['pod-default']?.url ?? '');
      return got.length ? got : undefined;
    });
    expect(messages[0]).toMatchObject({ type: 'account.qualified', podId: 'default', domain: 'acme.example' });
  });

  it('shows the account with its explanation, and 404 for a domain never seen', async () => {
    const res = await stack.api('/v1/accounts/acme.example', { key: stack.secrets.adminKey });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      domain: 'acme.example',
      salesReady: true,
      pod: 'default',
      intent: { stage: 'hand_raiser' },
    });
    expect(res.body.explanation.length).toBeGreaterThan(0);
    const missing = await stack.api('/v1/accounts/never-seen.example', { key: stack.secrets.adminKey });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('counts a replayed batch once', async () => {
    const batch = [
      event({ type: 'identify', anonymousId: 'v2', traits: { email: 'li@globex.example' } }),
      event({ type: 'track', event: 'content_read', anonymousId: 'v2', properties: { topics: ['data-warehousing'] } }),
    ];
    await stack.collect(batch);
    await stack.drain();
    const first = (await stack.api('/v1/accounts/globex.example', { key: stack.secrets.adminKey })).body;
    await stack.collect(batch);
    await stack.drain();
    const second = (await stack.api('/v1/accounts/globex.example', { key: stack.secrets.adminKey })).body;
    expect(second.intent).toEqual(first.intent);
    expect(first.intent.topics[0]).toMatchObject({ topic: 'data-warehousing', reads: 1 });
  });

  it('moves a poison message to the dead-letter queue without blocking its neighbours', async () => {
    const ingest = stack.queues.ingest;
    await stack.sqs.send(new SendMessageCommand({ QueueUrl: ingest?.url, MessageBody: '{"not":"an ingest message"}' }));
    await stack.collect([
      event({ type: 'identify', anonymousId: 'v3', traits: { email: 'max@initech.example' } }),
      event({ type: 'track', event: 'demo_request', anonymousId: 'v3' }),
    ]);
    await eventually(async () => {
      const res = await stack.api('/v1/accounts/initech.example', { key: stack.secrets.adminKey });
      return res.status === 200 && res.body.intent.stage === 'hand_raiser' ? true : undefined;
    });
    const dead = await eventually(async () => {
      const got = await peek(stack, ingest?.dlqUrl ?? '');
      return got.length ? got : undefined;
    }, 15_000);
    expect(dead).toEqual([{ not: 'an ingest message' }]);
  });

  it('keeps accounts and unconsumed queue messages across a clean stop and start, and a start that failed between', async () => {
    const { saved } = await stack.stop();
    expect(saved).toBeGreaterThan(0);
    // A start whose port is taken says so, and leaves the saved messages for the next start.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    await expect(startTestStack({ dataDir: stack.dataDir, port })).rejects.toThrow(`port ${port} is in use`);
    await new Promise((resolve) => taken.close(resolve));
    stack = await startTestStack({ dataDir: stack.dataDir });
    expect(stack.restored).toBe(saved);
    const queue = await stack.api('/v1/pods/default/queue', { key: stack.secrets.sdrKey });
    expect(queue.body.accounts.map((a: { domain: string }) => a.domain)).toContain('acme.example');
  });
});

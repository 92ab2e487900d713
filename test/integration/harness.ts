import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { type Config, TopicsSection } from '@intent/config';
import { configuredTopics, type IngestMessage, normalizeEvent } from '@intent/events';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '@intent/local';
import type { Store } from '@intent/store';
import { defaultConfig } from '../default-config';

/**
 * The real local stack (dynalite + fauxqs + the real handlers) on free ports, with short
 * timings so retries and dead-lettering happen within a test.
 */
export async function startTestStack(overrides: Partial<LocalStackOptions> = {}): Promise<TestStack> {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'intent-test-'));
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    visibilityTimeoutSeconds: 1,
    maxBatchingWindowMs: 100,
    schedules: false,
    onError: () => undefined,
    ...overrides,
  });
  return Object.assign(stack, {
    dataDir,
    api: (path: string, init: RequestInit & { key?: string } = {}) => api(stack, path, init),
    collect: (batch: unknown[], writeKey = 'wk_dev') => collectRetrying(stack, batch, writeKey),
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  });
}

/** Stops a test file's stack, whatever state a failed test left it in, and removes its data dir. */
export async function stopTestStack(stack: TestStack | undefined): Promise<void> {
  await stack?.stop().catch(() => undefined);
  stack?.cleanup();
}

export type TestStack = LocalStack & {
  dataDir: string;
  /** `retryAfter`: the answer's Retry-After header, when it has one. */
  api(path: string, init?: RequestInit & { key?: string }): Promise<{ status: number; body: any; retryAfter?: string }>;
  /** Posts to /v1/collect as a well-behaved client: a 429 is sent again after its Retry-After. */
  collect(batch: unknown[], writeKey?: string): Promise<{ status: number; body: any; retryAfter?: string }>;
  cleanup(): void;
};

/**
 * Posts a batch as a well-behaved client does: on 429 it waits the `Retry-After` the collector
 * asked for and sends again (tests post faster than the default address limit allows).
 */
async function collectRetrying(stack: LocalStack, batch: unknown[], writeKey: string) {
  for (let attempt = 1; ; attempt++) {
    const res = await api(stack, '/v1/collect', {
      method: 'POST',
      body: JSON.stringify({ writeKey, batch }),
      headers: { 'content-type': 'application/json' },
    });
    if (res.status !== 429 || attempt >= 10) return res;
    await new Promise((r) => setTimeout(r, 1000 * Number(res.retryAfter ?? 1)));
  }
}

async function api(stack: LocalStack, path: string, init: RequestInit & { key?: string }) {
  const { key, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (key) headers.set('authorization', `Bearer ${key}`);
  const res = await fetch(`${stack.baseUrl}${path}`, { ...rest, headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: body as any, retryAfter: res.headers.get('retry-after') ?? undefined };
}

/** Polls until `check` answers a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Polls `GET /v1/jobs/{id}` until the job has ended (done, superseded or failed): what a test
 * waits for after a configuration change, whose work runs as a job.
 */
export async function waitForJob(stack: TestStack, id: string, timeoutMs = 20_000): Promise<any> {
  return eventually(async () => {
    const res = await stack.api(`/v1/jobs/${id}`, { key: stack.secrets.adminKey });
    if (res.status !== 200) throw new Error(`GET /v1/jobs/${id}: ${res.status} ${JSON.stringify(res.body)}`);
    return ['done', 'superseded', 'failed'].includes(res.body.status) ? res.body : undefined;
  }, timeoutMs);
}

/** The job a `PUT /v1/config/{section}` answer names (a re-score or a re-materialisation), if any. */
export function jobOf(body: any): string | undefined {
  return body?.rescore?.job ?? body?.rematerialise?.job;
}

/** Receives (and deletes nothing of) what is on a queue right now. */
export async function peek(stack: LocalStack, queueUrl: string): Promise<unknown[]> {
  const out = await stack.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 0 }),
  );
  return (out.Messages ?? []).map((m) => JSON.parse(m.Body ?? 'null'));
}

/** Receives and deletes every message on a queue, parsed: what a consumer of it would get. */
export async function take(stack: LocalStack, queueUrl: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (;;) {
    const got = await stack.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const messages = got.Messages ?? [];
    if (!messages.length) return out;
    out.push(...messages.map((m) => JSON.parse(m.Body ?? 'null')));
    await stack.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
  }
}

let counter = 0;
/** A Segment-shaped event with a fresh messageId. */
export function event(fields: Record<string, unknown>): Record<string, unknown> {
  counter++;
  return { messageId: `msg-${Date.now()}-${counter}`, anonymousId: 'anon-1', timestamp: new Date().toISOString(), ...fields };
}

/** The fresh stack's development site's secret server write key, once `configureServerKey` set it. */
export const SERVER_KEY = 'swk_test_0123456789abcdef01234567';

/**
 * Gives the fresh stack's development site a server write key (`SERVER_KEY`): what a test
 * posting as a server-side forwarder (with `context.ip`, `traits.domain` or group calls) needs.
 */
export async function configureServerKey(stack: TestStack, site: Record<string, unknown> = {}): Promise<void> {
  const res = await stack.api('/v1/config/sites', {
    method: 'PUT',
    key: stack.secrets.adminKey,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      sites: [{ id: 'dev', name: 'Development site', writeKey: 'wk_dev', serverWriteKey: SERVER_KEY, ...site }],
    }),
  });
  if (res.status !== 200) throw new Error(`config sites: ${res.status} ${JSON.stringify(res.body)}`);
}

/** The `topics` section configuring these ids (each named after itself). */
export const topicsSection = (ids: string[]) => ({ topics: ids.map((id) => ({ id, name: id })) });

/** The default configuration with these topics configured: declared topics count only when configured. */
export const configWithTopics = (ids: string[]): Config => ({
  ...defaultConfig(),
  topics: TopicsSection.parse(topicsSection(ids)),
});

/**
 * Configures these topics on the stack (`PUT /v1/config/topics`). Call it before the stack
 * collects its first event: the collector keeps the configuration it read for up to 5 s.
 */
export async function configureTopics(stack: TestStack, ids: string[]): Promise<void> {
  const res = await stack.api('/v1/config/topics', {
    method: 'PUT',
    key: stack.secrets.adminKey,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(topicsSection(ids)),
  });
  if (res.status !== 200) throw new Error(`config topics: ${res.status} ${JSON.stringify(res.body)}`);
}

/** What the collector would queue for a raw event of the configuration's first site (default: the fresh stack's). */
export function accepted(raw: Record<string, unknown>, config = defaultConfig()): IngestMessage {
  const site = config.sites.sites[0] as (typeof config.sites.sites)[number];
  const outcome = normalizeEvent(raw, {
    site,
    source: 'verified',
    signals: config.signals,
    topics: configuredTopics(config.topics),
    receivedAt: new Date(),
    hashSecret: process.env.HASH_SECRET ?? '',
  });
  if (outcome.kind !== 'accepted') throw new Error(`test event not accepted: ${JSON.stringify(outcome)}`);
  return outcome.message;
}

/**
 * The stack's store, except that `race` runs once, right after the first identity-link read:
 * what another writer does between a batch's read of its links and its writes.
 */
export function storeRacing(stack: LocalStack, race: () => Promise<void>): Store {
  const real = stack.store.identity;
  let raced = false;
  const identity = Object.assign(Object.create(real), {
    links: async (...args: Parameters<typeof real.links>) => {
      const links = await real.links(...args);
      if (!raced) {
        raced = true;
        await race();
      }
      return links;
    },
  });
  return Object.assign(Object.create(stack.store), { identity }) as Store;
}

/**
 * Runs `work` counting the conditional writes that failed on `client` meanwhile (lost version
 * races, among them): what tests of concurrent writers of one process expect to be none.
 */
export function lostRacesDuring(client: DynamoDBClient, work: () => Promise<void>): Promise<number> {
  return countedDuring(
    client,
    work,
    (_, __, err) => (err as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException',
  );
}

/** Runs `work` counting the calls on `client` that `counts` picks, by command name, input and error (if it failed). */
export async function countedDuring(
  client: DynamoDBClient,
  work: () => Promise<void>,
  counts: (command: string, input: Record<string, unknown>, err?: unknown) => boolean,
): Promise<number> {
  let n = 0;
  const name = `countedDuring-${Math.random()}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      try {
        const out = await next(args);
        if (counts(context.commandName ?? '', input)) n++;
        return out;
      } catch (err) {
        if (counts(context.commandName ?? '', input, err)) n++;
        throw err;
      }
    },
    { step: 'initialize', name },
  );
  try {
    await work();
  } finally {
    client.middlewareStack.remove(name);
  }
  return n;
}

import { request } from 'node:http';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { admit } from '@intent/pipeline';
import { Store } from '@intent/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Admission, RATE_WINDOW_MS, rateWindowAt } from '../../packages/pipeline/src/rate-limit';
import { countedDuring, event, startTestStack, stopTestStack, type TestStack } from './harness';

const ORIGIN = 'https://news.example';
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';
const SITE_A = {
  id: 'site-a',
  name: 'Site A',
  writeKey: 'wk_site_a',
  serverWriteKey: 'swk_site_a_0123456789abcdef',
  rateLimit: 150,
};
const SITE_B = { id: 'site-b', name: 'Site B', writeKey: 'wk_site_b' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Posts to /v1/collect from a given loopback address (all of 127/8 reaches the stack on Linux). */
function postFrom(
  stack: TestStack,
  from: string,
  writeKey: string,
  batch: unknown[],
  browser = true,
): Promise<{ status: number; retryAfter?: string; body: any }> {
  const url = new URL('/v1/collect', stack.baseUrl);
  const body = JSON.stringify({ writeKey, batch });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: from,
        headers: { 'content-type': 'application/json', ...(browser ? { origin: ORIGIN, 'user-agent': BROWSER } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'] as string | undefined,
            body: JSON.parse(text),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `work` counting the test client's conditional writes to rate windows under `prefix`. */
function rateWritesDuring(stack: TestStack, prefix: string, work: () => Promise<void>): Promise<number> {
  return countedDuring(
    stack.dynamo,
    work,
    (command, input) =>
      command === 'UpdateItemCommand' && ((input.Key as { pk?: { S?: string } } | undefined)?.pk?.S ?? '').startsWith(prefix),
  );
}

const beacon = (n: number) => Array.from({ length: n }, () => event({ type: 'page', anonymousId: 'reader' }));

/**
 * Rate limits per write key (`rateLimit`) and per client address (`addressRateLimit`), counted
 * in DynamoDB so they hold across collector instances: 429 `rate_limited` with `Retry-After`.
 */
describe('collector rate limits', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
    const put = await stack.api('/v1/config/sites', {
      method: 'PUT',
      key: stack.secrets.adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sites: [SITE_A, SITE_B] }),
    });
    expect(put.status).toBe(200);
    // Start the test early in a two-second window, so each test's bursts share one window.
    await sleep(2_000 - (Date.now() % 2_000) + 20);
  });
  afterAll(() => stopTestStack(stack));

  it('stops one address flooding site A while site B’s beacon from another address, and site A’s from a third, still count', async () => {
    // The default address limit is 100 events/s, 200 in a two-second window.
    const flood = await Promise.all(Array.from({ length: 6 }, () => postFrom(stack, '127.0.0.1', SITE_A.writeKey, beacon(100))));
    expect(flood.filter((r) => r.status === 202)).toHaveLength(2);
    const refused = flood.filter((r) => r.status === 429);
    expect(refused).toHaveLength(4);
    for (const r of refused) {
      expect(r.body.error.code).toBe('rate_limited');
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(r.retryAfter)).toBeLessThanOrEqual(2);
    }
    expect(await postFrom(stack, '127.0.0.2', SITE_B.writeKey, beacon(10))).toMatchObject({
      status: 202,
      body: { accepted: 10 },
    });
    expect(await postFrom(stack, '127.0.0.3', SITE_A.writeKey, beacon(10))).toMatchObject({
      status: 202,
      body: { accepted: 10 },
    });
  });

  it('holds a write key to its site’s rateLimit, each key its own, and admits again after Retry-After', async () => {
    await sleep(2_000 - (Date.now() % 2_000) + 20);
    // Site A's server key: rateLimit 150/s, so 300 events a window, from any address.
    for (const from of ['127.0.0.4', '127.0.0.5', '127.0.0.6'])
      expect((await postFrom(stack, from, SITE_A.serverWriteKey, beacon(100), false)).status).toBe(202);
    const over = await postFrom(stack, '127.0.0.7', SITE_A.serverWriteKey, beacon(1), false);
    expect(over).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
    // The public key's budget is its own.
    expect((await postFrom(stack, '127.0.0.8', SITE_A.writeKey, beacon(10))).status).toBe(202);
    await sleep(Number(over.retryAfter) * 1000);
    expect((await postFrom(stack, '127.0.0.5', SITE_A.serverWriteKey, beacon(1), false)).status).toBe(202);
  });

  it('takes a key’s budget in leases, a few writes a window per process, and two processes never pass its limit', async () => {
    const processes = [stack.store, new Store(stack.dynamo, 'intent-pipeline')];
    const key = { kind: 'key' as const, bucket: 'key#lease-test#verified', perSecond: 10_000 };
    const max = (key.perSecond * RATE_WINDOW_MS) / 1000;
    const now = new Date();
    let admitted = 0;
    const writes = await rateWritesDuring(stack, 'RATE#key#lease-test', async () => {
      // 150 requests of 100 events, the two processes in turn: 15,000 of the window's 20,000.
      for (let i = 0; i < 150; i++) if ((await admit(processes[i % 2] as Store, [key], 100, now)).admitted) admitted += 100;
    });
    expect(admitted).toBe(15_000);
    expect(writes).toBeLessThanOrEqual(20);
    // Then on to the limit: never past it, and short of it by at most one lease per process.
    for (let i = 0; (await admit(processes[i % 2] as Store, [key], 100, now)).admitted; i++) admitted += 100;
    expect(admitted).toBeLessThanOrEqual(max);
    expect(admitted).toBeGreaterThanOrEqual(max - 2 * (max / 20) - 100);
  });

  it('takes one lease at a time in a process: its concurrent requests wait for it, and at most one lease goes unspent', async () => {
    const key = { kind: 'key' as const, bucket: 'key#concurrent-leases#browser', perSecond: 10_000 };
    const now = new Date();
    let admissions: Admission[] = [];
    const writes = await rateWritesDuring(stack, `RATE#${key.bucket}`, async () => {
      // 200 requests of 10 events at once: 2,000 events; leases double from 20 to the cap of 1,000.
      admissions = await Promise.all(Array.from({ length: 200 }, () => admit(stack.store, [key], 10, now)));
    });
    expect(admissions.every((a) => a.admitted)).toBe(true);
    expect(writes).toBeLessThanOrEqual(10);
    const { Item } = await stack.dynamo.send(
      new GetItemCommand({
        TableName: 'intent-pipeline',
        Key: { pk: { S: `RATE#${key.bucket}` }, sk: { S: String(rateWindowAt(now.getTime()).window) } },
        ConsistentRead: true,
      }),
    );
    const counted = Number(Item?.n?.N);
    expect(counted).toBeGreaterThanOrEqual(2_000);
    expect(counted - 2_000).toBeLessThanOrEqual(1_000);
  });

  describe('address shares', () => {
    // Four processes, as four collector instances of a stack whose collector may run four at once.
    const INSTANCES = 4;
    let processes: Store[];
    beforeAll(() => {
      processes = Array.from({ length: INSTANCES }, () => new Store(stack.dynamo, 'intent-pipeline'));
    });
    const now = new Date();
    /**
     * Events admitted of `requests` requests of `events` each, the i-th through process `via(i)`,
     * and the shared window's writes they made.
     */
    async function send(name: string, requests: number, events: number, via: (i: number) => number, instances?: number) {
      const address = { kind: 'address' as const, bucket: `addr#shares#${name}`, perSecond: 100 };
      let admitted = 0;
      const writes = await rateWritesDuring(stack, `RATE#${address.bucket}`, async () => {
        for (let i = 0; i < requests; i++)
          if ((await admit(processes[via(i)] as Store, [address], events, now, instances)).admitted) admitted += events;
      });
      return { admitted, writes };
    }
    const roundRobin = (i: number) => i % INSTANCES;

    // 100 events/s: 200 in a window, so each process's share is 50.
    it('admits an address’s beacons from each process’s share, without writing the shared window', async () => {
      expect(await send('visitor', 8, 5, roundRobin, INSTANCES)).toEqual({ admitted: 40, writes: 0 });
    });

    it('lets a flooding address through at most twice its limit however its requests spread, its limit and a share from one process', async () => {
      // The shared window's 200, and each process's 50; the 80 requests past the shares each try
      // the shared window: 20 fit, 60 are refused.
      expect(await send('spread', 100, 10, roundRobin, INSTANCES)).toEqual({ admitted: 400, writes: 80 });
      expect((await send('one-process', 100, 10, () => 0, INSTANCES)).admitted).toBe(250);
    });

    it('counts every request in the shared window when the instances are not capped', async () => {
      expect(await send('uncapped', 30, 10, roundRobin)).toEqual({ admitted: 200, writes: 30 });
    });
  });
});

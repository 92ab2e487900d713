import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DestinationsSection } from '@intent/config';
import {
  type ChangeEvent,
  type DeliveryMessage,
  type DeliverySender,
  deliverStream,
  destinationTransport,
  SecretBox,
  sealDestinationSecrets,
} from '@intent/pipeline';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audienceChange, podChange } from '../../packages/pipeline/src/destination-events';
import { recordChanges } from '../../packages/pipeline/src/destination-recorder';
import { startTestStack, stopTestStack, type TestStack } from './harness';

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2026-03-02T09:00:00Z');

/** What the receiver does with a request at simulated time `now`, the `n`-th it got (from 1). */
type Behaviour = (now: number, n: number) => { status: number; retryAfter?: string } | 'drop';

interface Receipt {
  id: string;
  at: number;
  status: number | 'dropped';
  type?: string;
  domain?: string;
}

/**
 * A webhook receiver on node:http that checks every request with the `standardwebhooks`
 * package (the receiver's side of the specification, not our code) and answers as `behaviour`
 * says for the simulated time: an error status, a 429 with Retry-After, or no answer at all.
 */
async function startReceiver(clock: () => number, behaviour: Behaviour) {
  const verifier = new Webhook(SECRET);
  const receipts: Receipt[] = [];
  const badSignatures: string[] = [];
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    let payload: { type: string; data: { domain: string } } | undefined;
    try {
      payload = verifier.verify(body, headers) as typeof payload;
    } catch (err) {
      badSignatures.push((err as Error).message);
    }
    const id = headers['webhook-id'] ?? '';
    const answer = behaviour(clock(), receipts.length + 1);
    if (answer === 'drop') {
      receipts.push({ id, at: clock(), status: 'dropped' });
      req.socket.destroy();
      return;
    }
    receipts.push({ id, at: clock(), status: answer.status, type: payload?.type, domain: payload?.data.domain });
    res.writeHead(answer.status, answer.retryAfter ? { 'retry-after': answer.retryAfter } : {}).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return { url, receipts, badSignatures, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A seeded generator, so the jitter (and so the schedule) is the same on every run. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const podEvent = (domain: string, type: 'account.qualified' | 'account.updated' | 'account.dequalified', at: number, n: number) =>
  podChange({
    type,
    id: `${domain}-${type}-${n}`.replace(/\./g, '_'),
    podId: 'default',
    domain,
    name: domain,
    priority: 50 + n,
    stage: 'hand_raiser',
    tier: 'A',
    reasons: [`reason ${n}`],
    at: new Date(at).toISOString(),
  });

/**
 * The delivery schedule end to end on the real store (dynalite) and a real HTTP receiver, with
 * a simulated clock: SQS is stood in for by an in-memory list of delayed messages run in due
 * order, so a day of retries takes a second. What holds: every event arrives, each signature
 * verifies, each account's events are accepted in order, and no `webhook-id` is accepted twice.
 */
describe('webhook delivery under failures', () => {
  let stack: TestStack;
  const box = new SecretBox('test-deployment-secret');

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stopTestStack(stack));

  /** Runs delayed messages in due order, moving the clock to each, until none is left. */
  async function simulate(
    destinations: ReturnType<typeof DestinationsSection.parse>,
    clock: { now: number },
    recordings: { at: number; events: ChangeEvent[] }[],
    random: () => number,
  ) {
    const queue: { message: DeliveryMessage; due: number }[] = [];
    const send: DeliverySender = async (messages) => {
      for (const m of messages) queue.push({ message: m.message, due: clock.now + m.delaySeconds * 1000 });
    };
    const sealed = sealDestinationSecrets(destinations, box).sealed;
    // The receiver listens on this machine: private addresses allowed, as the local stack does.
    const transport = destinationTransport(
      async () => box,
      async () => '',
      true,
    );
    const pending = [...recordings];
    for (let steps = 0; steps < 20_000; steps++) {
      queue.sort((a, b) => a.due - b.due);
      const nextRecording = pending[0];
      const nextMessage = queue[0];
      if (nextRecording && (!nextMessage || nextRecording.at <= nextMessage.due)) {
        pending.shift();
        clock.now = Math.max(clock.now, nextRecording.at);
        await recordChanges(stack.store, sealed, nextRecording.events, send, new Date(clock.now));
        continue;
      }
      if (!nextMessage) return;
      queue.shift();
      clock.now = Math.max(clock.now, nextMessage.due);
      const deps = {
        store: stack.store,
        destinations: sealed,
        transport,
        send,
        clock: () => clock.now,
        random,
        deadline: Infinity,
      };
      await deliverStream(deps, nextMessage.message);
    }
    throw new Error('the simulation did not settle');
  }

  // A simulated day is a few hundred deliveries and wake hops on the store: ~8 s on a busy two-core
  // machine; the limit leaves room for a CI run with every file at once.
  it('delivers every event in order per account, once per webhook-id, through early failures, 429s and a day down', {
    timeout: 60_000,
  }, async () => {
    const clock = { now: T0 };
    const OUTAGE_FROM = T0 + 10 * MIN;
    const OUTAGE_TO = OUTAGE_FROM + 24 * HOUR;
    const receiver = await startReceiver(
      () => clock.now,
      (now, n) => {
        if (n <= 3) return { status: 503 };
        if (n <= 5) return { status: 429, retryAfter: '120' };
        if (now >= OUTAGE_FROM && now < OUTAGE_TO) return n % 2 ? 'drop' : { status: 502 };
        return { status: 204 };
      },
    );
    const destinations = DestinationsSection.parse({
      destinations: [
        {
          id: 'crm',
          type: 'webhook',
          url: receiver.url,
          secret: SECRET,
          events: ['account.qualified', 'account.updated', 'account.dequalified', 'audience.joined'],
        },
      ],
    });
    const domains = ['acme.example', 'globex.example'];
    const first = domains.flatMap((d) => [
      podEvent(d, 'account.qualified', T0, 1),
      podEvent(d, 'account.updated', T0 + 1000, 2),
      audienceChange({
        type: 'audience.member_added',
        audienceId: 'hot',
        domain: d,
        name: d,
        at: new Date(T0 + 1000).toISOString(),
      }),
    ]);
    // Recorded while the receiver is down: they wait behind nothing but the outage.
    const during = domains.flatMap((d) => [
      podEvent(d, 'account.updated', T0 + HOUR, 3),
      podEvent(d, 'account.dequalified', T0 + 2 * HOUR, 4),
    ]);
    // Recorded twice (an outbox sending again): still one delivery.
    await simulate(
      destinations,
      clock,
      [
        { at: T0, events: first },
        { at: T0 + HOUR, events: during.slice(0, 2) },
        { at: T0 + 2 * HOUR, events: [...during.slice(2), ...during.slice(0, 1)] },
      ],
      seeded(42),
    );
    await receiver.close();

    expect(receiver.badSignatures).toEqual([]);
    const accepted = receiver.receipts.filter((r) => r.status === 204);
    const all = [...first, ...during];
    // Every event arrived, and no webhook-id was accepted twice.
    expect(accepted.map((r) => r.id).sort()).toEqual(all.map((e) => e.id).sort());
    // Per account, accepted in the order of the changes.
    for (const d of domains) {
      const order = all.filter((e) => e.domain === d).sort((a, b) => a.at.localeCompare(b.at) || a.rank - b.rank);
      expect(accepted.filter((r) => r.domain === d).map((r) => r.id)).toEqual(order.map((e) => e.id));
    }
    // The first retry came within a minute; the 429s' Retry-After was honoured.
    const firstId = receiver.receipts[0]?.id;
    const tries = receiver.receipts.filter((r) => r.id === firstId);
    expect((tries[1]?.at ?? Infinity) - (tries[0]?.at ?? 0)).toBeLessThanOrEqual(MIN);
    const throttled = receiver.receipts.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(2);
    for (const r of throttled) {
      const retry = receiver.receipts.find((later) => later.id === r.id && later.at > r.at);
      expect((retry?.at ?? 0) - r.at).toBeGreaterThanOrEqual(120_000);
    }
    // The outage was retried across the whole day, not hammered.
    const inOutage = receiver.receipts.filter((r) => r.at >= OUTAGE_FROM && r.at < OUTAGE_TO);
    expect(inOutage.length).toBeGreaterThan(24);
    expect(inOutage.length).toBeLessThan(40 * domains.length);
    expect(Math.max(...accepted.map((r) => r.at))).toBeGreaterThanOrEqual(OUTAGE_TO);
    const listed = await stack.store.deliveries.list('crm', { status: 'delivered', limit: 100 });
    expect(listed.deliveries).toHaveLength(all.length);
  });

  it('stops on a 4xx other than 429, records it, and goes on with the next event; gives up after a day of failures', async () => {
    const clock = { now: T0 };
    const receiver = await startReceiver(
      () => clock.now,
      (now, n) => (n === 1 ? { status: 410 } : now < T0 + 30 * HOUR ? { status: 500 } : { status: 200 }),
    );
    const destinations = DestinationsSection.parse({
      destinations: [
        { id: 'strict', type: 'webhook', url: receiver.url, secret: SECRET, events: ['account.qualified', 'account.updated'] },
      ],
    });
    const events = [
      podEvent('umbrella.example', 'account.qualified', T0, 1),
      podEvent('umbrella.example', 'account.updated', T0 + 1, 2),
    ];
    await simulate(destinations, clock, [{ at: T0, events }], seeded(7));
    await receiver.close();

    const failed = await stack.store.deliveries.list('strict', { status: 'failed', limit: 10 });
    expect(failed.deliveries.map((d) => [d.id, d.attempts, d.lastStatus])).toEqual([[events[0]?.id, 1, 410]]);
    const dead = await stack.store.deliveries.list('strict', { status: 'dead', limit: 10 });
    expect(dead.deliveries).toHaveLength(1);
    const [gaveUp] = dead.deliveries;
    expect(gaveUp?.id).toBe(events[1]?.id);
    expect(gaveUp?.lastStatus).toBe(500);
    // Retried for at least a day after its first attempt before giving up.
    const tries = receiver.receipts.filter((r) => r.id === events[1]?.id);
    expect((tries.at(-1)?.at ?? 0) - (tries[0]?.at ?? 0)).toBeGreaterThanOrEqual(24 * HOUR);
  });
});

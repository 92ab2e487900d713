import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DestinationsSection } from '@intent/config';
import type { DeliveryRecord } from '@intent/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podChange } from '../../packages/pipeline/src/destination-events';
import { sendSlack } from '../../packages/pipeline/src/slack';

/**
 * `sendSlack` against a real local incoming-webhook stand-in (node:http): what Slack gets is the
 * Block Kit alert, and its answers (ok, 429 with Retry-After, 5xx, no answer) become the
 * attempt's status the retry schedule reads.
 */
describe('sending Slack alerts with @slack/webhook', () => {
  let server: Server;
  let base: string;
  const bodies: { path: string; body: { text: string; blocks: unknown[] } }[] = [];
  let answer: { status: number; headers?: Record<string, string>; body: string } = { status: 200, body: 'ok' };

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      bodies.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(answer.status, answer.headers ?? {}).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const destination = (extra: Record<string, unknown> = {}) =>
    DestinationsSection.parse({
      destinations: [{ id: 's', type: 'slack', events: ['account.qualified'], webhookUrl: `${base}/pod`, ...extra }],
    }).destinations[0] as Extract<ReturnType<typeof DestinationsSection.parse>['destinations'][number], { type: 'slack' }>;
  const event = (owner?: string): DeliveryRecord => ({
    ...podChange({
      type: 'account.qualified',
      id: 'm1',
      podId: 'emea',
      domain: 'globex.example',
      name: 'Globex',
      priority: 70,
      stage: 'hand_raiser',
      tier: 'B',
      reasons: ['Viewed pricing twice today'],
      at: '2026-03-02T09:00:00.000Z',
      ...(owner ? { owner } : {}),
    }),
    destinationId: 's',
    status: 'pending',
    attempts: 0,
    recordedAt: '2026-03-02T09:00:01.000Z',
    position: 'E#globex.example#x',
  });

  it("posts the alert to the pod channel, or to the owner's webhook when the owner is mapped", async () => {
    answer = { status: 200, body: 'ok' };
    expect(await sendSlack(destination(), event())).toEqual({ status: 200 });
    expect(bodies.at(-1)?.path).toBe('/pod');
    expect(bodies.at(-1)?.body.text).toContain('Globex');
    expect(bodies.at(-1)?.body.text).toContain('Viewed pricing twice today');
    expect(bodies.at(-1)?.body.text).toContain('emea');
    const owned = destination({ byOwner: { 'kim@seller.example': `${base}/kim` } });
    expect(await sendSlack(owned, event('kim@seller.example'))).toEqual({ status: 200 });
    expect(bodies.at(-1)?.path).toBe('/kim');
  });

  it("reads Slack's 429 Retry-After and its errors as attempts to retry or stop", async () => {
    answer = { status: 429, headers: { 'retry-after': '30' }, body: 'rate_limited' };
    expect(await sendSlack(destination(), event())).toMatchObject({ status: 429, retryAfterMs: 30_000 });
    answer = { status: 404, body: 'no_service' };
    expect(await sendSlack(destination(), event())).toMatchObject({ status: 404, error: 'no_service' });
    const down = destination({ webhookUrl: 'http://127.0.0.1:9/pod' });
    expect(await sendSlack(down, event())).toMatchObject({ status: 0 });
  });
});

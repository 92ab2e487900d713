import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoReceivers, startDemoReceivers } from '../../scripts/demo/receivers';
import { collectAndDrain, send, visitEvents } from './accounts-helpers';
import { eventually, startTestStack, stopTestStack, type TestStack } from './harness';

const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;

interface Received {
  id: string;
  verified: boolean;
  payload?: { type: string; timestamp: string; data: { domain: string; podId?: string; reasons?: string[] } };
}

/**
 * Destinations through the running stack: configured with `PUT /v1/config/destinations`, fed by
 * the pipeline's own changes (a hand-raise qualifies an account), delivered by the deliver
 * function from the deliveries queue, observed and replayed through the API. The receiver is a
 * real HTTP server that checks signatures with the `standardwebhooks` package.
 */
describe('webhook destinations', () => {
  let stack: TestStack;
  let server: Server;
  let url: string;
  const received: Received[] = [];
  /** A Slack stand-in and a HubSpot recorder (the demo's), beside the webhook receiver. */
  let others: DemoReceivers;
  const verifier = new Webhook(SECRET);
  /** The first request is answered 503: the delivery is retried. */
  let requests = 0;

  beforeAll(async () => {
    stack = await startTestStack();
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      requests++;
      if (requests === 1) return void res.writeHead(503).end();
      try {
        received.push({
          id: headers['webhook-id'] ?? '',
          verified: true,
          payload: verifier.verify(body, headers) as Received['payload'],
        });
      } catch {
        received.push({ id: headers['webhook-id'] ?? '', verified: false });
      }
      res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/intent`;
    others = await startDemoReceivers(stack.baseUrl);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await others?.close();
    await stopTestStack(stack);
  });

  const destinations = () => ({
    destinations: [
      {
        id: 'crm',
        type: 'webhook',
        url,
        secret: SECRET,
        events: ['account.qualified', 'account.updated', 'account.dequalified'],
      },
      // Filtered out: wants tier D accounts only, and these are tier B.
      { id: 'tier-d', type: 'webhook', url, secret: SECRET, events: ['account.qualified'], filter: { tiers: ['D'] } },
      // Slack and HubSpot: their secrets (webhook URL, token) sealed here, opened by the deliver function.
      ...(others.destinations as { destinations: { type: string }[] }).destinations.filter((d) => d.type !== 'webhook'),
    ],
  });

  it('refuses bad destinations with field paths, stores secrets write-only, and keeps them when GET is put back', async () => {
    const bad = await send(stack, 'PUT', '/v1/config/destinations', {
      destinations: [
        { id: 'x', type: 'webhook', url: 'ftp://r.example', secret: 'plain', events: ['account.exploded'] },
        { id: 'y', type: 'slack', events: ['account.qualified'] },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(
      ['destinations.0.events.0', 'destinations.0.secret', 'destinations.0.url', 'destinations.1.webhookUrl'].sort(),
    );

    const put = await send(stack, 'PUT', '/v1/config/destinations', destinations());
    expect(put.status).toBe(200);
    expect(JSON.stringify(put.body)).not.toContain(SECRET.slice(6, 20));
    const shown = await send(stack, 'GET', '/v1/config/destinations');
    expect(shown.status).toBe(200);
    expect(JSON.stringify(shown.body)).not.toContain(SECRET.slice(6, 20));
    expect(shown.body.destinations[0].secret).toMatch(/^\*{4}/);
    // Putting back what GET showed keeps the stored secrets (deliveries below still verify).
    expect((await send(stack, 'PUT', '/v1/config/destinations', shown.body)).status).toBe(200);
    const sdr = await send(stack, 'GET', '/v1/config/destinations', undefined, stack.secrets.sdrKey);
    expect(sdr.status).toBe(403);
    // An earlier revision shows masked, and restores with its sealed secrets (this deployment made them).
    const revision = await send(stack, 'GET', '/v1/config/destinations/revisions/1');
    expect(revision.body.restorable).toBe(true);
    expect(JSON.stringify(revision.body)).not.toMatch(/enc:v1:|whsec_/);
    const restored = await send(stack, 'POST', '/v1/config/destinations/revisions/1/restore');
    expect(restored.status).toBe(200);
    expect(restored.body.restoredFrom).toBe(1);
  });

  it('delivers a new hand-raiser signed, after a retry, and only to the destinations that want it', async () => {
    await collectAndDrain(stack, visitEvents('acme.example', 'ann', ['pricing_view']));
    const got = await eventually(async () => received.find((r) => r.payload?.data.domain === 'acme.example'));
    expect(got.verified).toBe(true);
    expect(got.payload).toMatchObject({ type: 'account.qualified', data: { domain: 'acme.example', podId: 'default' } });
    expect(got.payload?.data.reasons?.length).toBeGreaterThan(0);
    expect(requests).toBe(2);
    const listed = await eventually(async () => {
      const res = await send(stack, 'GET', '/v1/destinations/crm/deliveries?status=delivered');
      return res.body.deliveries?.length ? res.body : undefined;
    });
    expect(listed.deliveries[0]).toMatchObject({
      id: got.id,
      type: 'account.qualified',
      domain: 'acme.example',
      attempts: 2,
      lastStatus: 200,
    });
    expect((await send(stack, 'GET', '/v1/destinations/tier-d/deliveries')).body.deliveries).toEqual([]);
  });

  it('alerts the Slack channel and writes the HubSpot company of the same hand-raiser', async () => {
    const { slack, hubspot } = others.received;
    await eventually(async () => (slack.texts.length && hubspot.companies.size ? true : undefined));
    expect(slack.texts).toEqual([expect.stringContaining('acme.example')]);
    expect(slack.texts[0]).toContain('pod default');
    expect([...hubspot.companies]).toEqual(['hs-acme.example']);
    expect(hubspot.sample).toMatchObject({ intent_stage: 'hand_raiser', intent_fit_tier: 'B' });
    expect(hubspot.propertiesCreated).toHaveLength(5);
  });

  it('replays from a time: the same event again, under the same webhook-id', async () => {
    const before = received.length;
    const replay = await send(stack, 'POST', '/v1/destinations/crm/replay?from=2000-01-01T00:00:00Z');
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ destination: 'crm', replayed: 1, accounts: 1 });
    const again = await eventually(async () => received[before]);
    expect(again.verified).toBe(true);
    expect(again.id).toBe(received.find((r) => r.payload?.data.domain === 'acme.example')?.id);
  });

  it('answers bad listing and replay requests with 4xx', async () => {
    expect((await send(stack, 'GET', '/v1/destinations/nope/deliveries')).status).toBe(404);
    const status = await send(stack, 'GET', '/v1/destinations/crm/deliveries?status=lost&limit=1000');
    expect(status.status).toBe(400);
    expect(status.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['limit', 'status']);
    expect((await send(stack, 'GET', '/v1/destinations/crm/deliveries?cursor=forged.x')).status).toBe(400);
    expect((await send(stack, 'POST', '/v1/destinations/crm/replay')).status).toBe(400);
    expect((await send(stack, 'POST', '/v1/destinations/crm/replay?from=yesterday')).status).toBe(400);
    const sdr = await send(
      stack,
      'POST',
      '/v1/destinations/crm/replay?from=2000-01-01T00:00:00Z',
      undefined,
      stack.secrets.sdrKey,
    );
    expect(sdr.status).toBe(403);
  });
});

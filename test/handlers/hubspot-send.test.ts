import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DestinationsSection } from '@intent/config';
import type { DeliveryRecord } from '@intent/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podChange } from '../../packages/pipeline/src/destination-events';
import { HUBSPOT_PROPERTIES, sendHubspot } from '../../packages/pipeline/src/hubspot';

interface Call {
  method: string;
  path: string;
  auth?: string;
  body?: any;
}

/**
 * `sendHubspot` through `@hubspot/api-client` against a local recorder of HubSpot's CRM API
 * (node:http): missing properties are created once, companies are matched by `crmId` or by
 * domain, concurrent writes go out as one batch update, and a 429 becomes a retry with its wait.
 */
describe('writing to HubSpot companies with @hubspot/api-client', () => {
  let server: Server;
  let base: string;
  const calls: Call[] = [];
  let throttle: { status: number; body: unknown } | undefined;

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      const call: Call = {
        method: req.method ?? '',
        path: req.url ?? '',
        auth: req.headers.authorization,
        body: text ? JSON.parse(text) : undefined,
      };
      calls.push(call);
      const reply = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (call.path.startsWith('/crm/v3/properties/companies/batch/create'))
        return reply(201, { status: 'COMPLETE', results: [] });
      if (call.path.startsWith('/crm/v3/properties/companies'))
        return reply(200, { results: [{ name: 'intent_stage', label: 'Intent stage', type: 'string', fieldType: 'text' }] });
      if (call.path.startsWith('/crm/v3/objects/companies/search')) {
        const domain = call.body.filterGroups[0].filters[0].value;
        return reply(200, {
          total: domain === 'unknown.example' ? 0 : 1,
          results: domain === 'unknown.example' ? [] : [{ id: `c-${domain}`, properties: { domain } }],
        });
      }
      if (call.path.startsWith('/crm/v3/objects/companies/batch/update')) {
        if (throttle) return reply(throttle.status, throttle.body);
        return reply(200, {
          status: 'COMPLETE',
          results: call.body.inputs.map((i: { id: string }) => ({ id: i.id, properties: {} })),
        });
      }
      reply(404, { message: 'not recorded' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const destination = () =>
    DestinationsSection.parse({
      destinations: [
        { id: 'hs', type: 'hubspot', events: ['account.qualified'], accessToken: 'pat-na1-test-token', baseUrl: base },
      ],
    }).destinations[0] as Extract<ReturnType<typeof DestinationsSection.parse>['destinations'][number], { type: 'hubspot' }>;
  const event = (domain: string, crmId?: string): DeliveryRecord => ({
    ...podChange({
      type: 'account.qualified',
      id: `m-${domain}`,
      podId: 'emea',
      domain,
      priority: 71.4,
      stage: 'hand_raiser',
      tier: 'A',
      reasons: ['Requested a demo', 'Read 4 articles'],
      topics: [{ topic: 'data-warehousing', reads: 4, people: 2 }],
      at: '2026-03-02T09:00:00.000Z',
      ...(crmId ? { crmId } : {}),
    }),
    destinationId: 'hs',
    status: 'pending',
    attempts: 0,
    recordedAt: '2026-03-02T09:00:01.000Z',
    position: `E#${domain}#x`,
  });

  it('creates missing properties once, matches by crmId or domain, and batches concurrent writes', async () => {
    // Concurrent deliveries (one queue batch) of accounts matched by crmId: one batch update.
    const results = await Promise.all([
      sendHubspot(destination(), event('acme.example', '9001')),
      sendHubspot(destination(), event('hooli.example', '9002')),
    ]);
    expect(results).toEqual([{ status: 200 }, { status: 200 }]);
    expect(await sendHubspot(destination(), event('globex.example'))).toEqual({ status: 200 });
    const created = calls.filter((c) => c.path.includes('/properties/companies/batch/create'));
    expect(created).toHaveLength(1);
    expect(created[0]?.body.inputs.map((p: { name: string }) => p.name).sort()).toEqual(
      HUBSPOT_PROPERTIES.map((p) => p.name)
        .filter((n) => n !== 'intent_stage')
        .sort(),
    );
    // By crmId: no search for acme; by domain for globex.
    const searched = calls.filter((c) => c.path.includes('/search')).map((c) => c.body.filterGroups[0].filters[0].value);
    expect(searched).toEqual(['globex.example']);
    const updates = calls.filter((c) => c.path.includes('/objects/companies/batch/update'));
    expect(updates.map((u) => u.body.inputs.map((i: { id: string }) => i.id).sort())).toEqual([
      ['9001', '9002'],
      ['c-globex.example'],
    ]);
    expect(updates[0]?.auth).toBe('Bearer pat-na1-test-token');
    expect(updates[0]?.body.inputs).toEqual(
      expect.arrayContaining([
        {
          id: '9001',
          properties: {
            intent_stage: 'hand_raiser',
            intent_priority: '71',
            intent_top_topics: 'data-warehousing',
            intent_fit_tier: 'A',
            intent_reasons: 'Requested a demo\nRead 4 articles',
          },
        },
        expect.objectContaining({ id: '9002' }),
      ]),
    );
    await sendHubspot(destination(), event('initech.example'));
    expect(calls.filter((c) => c.path.includes('/properties/companies/batch/create'))).toHaveLength(1);
  });

  it("backs off on HubSpot's 429s (longer on the daily limit) and stops on an unknown company", async () => {
    throttle = {
      status: 429,
      body: { status: 'error', message: 'You have reached your secondly limit.', policyName: 'SECONDLY' },
    };
    expect(await sendHubspot(destination(), event('acme.example', '9001'))).toMatchObject({ status: 429, retryAfterMs: 10_000 });
    throttle = { status: 429, body: { status: 'error', message: 'You have reached your daily limit.', policyName: 'DAILY' } };
    expect(await sendHubspot(destination(), event('acme.example', '9001'))).toMatchObject({
      status: 429,
      retryAfterMs: 3_600_000,
    });
    throttle = undefined;
    expect(await sendHubspot(destination(), event('unknown.example'))).toMatchObject({ status: 404 });
  });
});

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { StackClient } from '../lib/stack-client';

/** What the demo's receivers got, by destination type. */
export interface Received {
  webhook: { ids: string[]; types: Record<string, number>; verified: number; refused: number };
  slack: { texts: string[] };
  hubspot: { propertiesCreated: string[]; batchCalls: number; companies: Set<string>; sample?: Record<string, string> };
}

export interface DemoReceivers {
  /** The `destinations` section pointing at these receivers. */
  destinations: unknown;
  received: Received;
  /** How many requests all receivers have answered: the demo waits until it stops changing. */
  requests(): number;
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * One local receiver per destination type, on one port of 127.0.0.1: a webhook receiver that
 * checks each signature with the `standardwebhooks` package, a Slack incoming-webhook stand-in,
 * and a recorder of the HubSpot CRM calls the pipeline makes (properties, search, batch update).
 * `apiBaseUrl`: where the Slack alerts link accounts to.
 */
export async function startDemoReceivers(apiBaseUrl: string): Promise<DemoReceivers> {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const verifier = new Webhook(secret);
  const received: Received = {
    webhook: { ids: [], types: {}, verified: 0, refused: 0 },
    slack: { texts: [] },
    hubspot: { propertiesCreated: [], batchCalls: 0, companies: new Set() },
  };
  let requests = 0;
  const server: Server = createServer(async (req, res) => {
    const text = await bodyOf(req);
    const path = req.url ?? '';
    requests++;
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (path.startsWith('/webhook')) {
      try {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        const event = verifier.verify(text, headers) as { type: string };
        received.webhook.verified++;
        received.webhook.ids.push(headers['webhook-id'] ?? '');
        received.webhook.types[event.type] = (received.webhook.types[event.type] ?? 0) + 1;
        return void res.writeHead(204).end();
      } catch {
        received.webhook.refused++;
        return void res.writeHead(400).end();
      }
    }
    if (path.startsWith('/slack')) {
      received.slack.texts.push((JSON.parse(text) as { text: string }).text);
      return void res.writeHead(200).end('ok');
    }
    const body = text ? (JSON.parse(text) as Record<string, any>) : {};
    if (path.includes('/crm/v3/properties/companies/batch/create')) {
      received.hubspot.propertiesCreated.push(...body.inputs.map((p: { name: string }) => p.name));
      return json(201, { status: 'COMPLETE', results: [] });
    }
    if (path.includes('/crm/v3/properties/companies')) return json(200, { results: [] });
    if (path.includes('/crm/v3/objects/companies/search')) {
      const domain = body.filterGroups?.[0]?.filters?.[0]?.value;
      return json(200, { total: 1, results: [{ id: `hs-${domain}`, properties: { domain } }] });
    }
    if (path.includes('/crm/v3/objects/companies/batch/update')) {
      received.hubspot.batchCalls++;
      for (const input of body.inputs) received.hubspot.companies.add(input.id);
      received.hubspot.sample = body.inputs[0]?.properties;
      return json(200, { status: 'COMPLETE', results: body.inputs.map((i: { id: string }) => ({ id: i.id, properties: {} })) });
    }
    json(404, { message: `the demo receivers do not know ${path}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const destinations = {
    destinations: [
      {
        id: 'demo-webhook',
        type: 'webhook',
        url: `${base}/webhook`,
        secret,
        events: ['account.qualified', 'account.updated', 'account.dequalified', 'audience.joined', 'audience.left'],
      },
      {
        id: 'demo-slack',
        type: 'slack',
        events: ['account.qualified', 'account.updated'],
        webhookUrl: `${base}/slack/pod`,
        apiBaseUrl,
      },
      {
        id: 'demo-hubspot',
        type: 'hubspot',
        events: ['account.qualified', 'account.updated', 'account.dequalified'],
        accessToken: `demo-${randomBytes(8).toString('hex')}`,
        baseUrl: `${base}/hubspot`,
      },
    ],
  };
  return {
    destinations,
    received,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What each receiver got, for the person running the demo. */
export function describeReceived(r: Received): string[] {
  const types = Object.entries(r.webhook.types)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  const distinct = new Set(r.webhook.ids).size;
  return [
    `  webhook  ${r.webhook.ids.length} events (${types || 'none'}); signatures verified with standardwebhooks: ${r.webhook.verified}, refused: ${r.webhook.refused}; distinct webhook-ids: ${distinct}`,
    `  slack    ${r.slack.texts.length} alerts${r.slack.texts[0] ? `, e.g. "${r.slack.texts[0].slice(0, 140)}"` : ''}`,
    `  hubspot  ${r.hubspot.companies.size} companies updated in ${r.hubspot.batchCalls} batch calls; properties created: ${r.hubspot.propertiesCreated.join(', ') || 'none'}`,
    ...(r.hubspot.sample ? [`           e.g. ${JSON.stringify(r.hubspot.sample).slice(0, 160)}`] : []),
  ];
}

/**
 * Points the stack's destinations at local receivers for the demo's run, when the stack is on
 * this machine (a remote one cannot reach 127.0.0.1) and has no destinations of its own (the
 * demo replaces none). Undefined when it does not; `restore` puts the empty section back.
 */
export async function configureDemoDestinations(
  client: StackClient,
  baseUrl: string,
  log: (line: string) => void,
): Promise<(DemoReceivers & { restore(): Promise<void> }) | undefined> {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(baseUrl).hostname)) {
    log('destinations: the stack is not on this machine, so the demo starts no local receivers');
    return undefined;
  }
  const current = (await client.getConfig('destinations')) as { destinations: unknown[] };
  if (current.destinations.length) {
    log(
      `destinations: leaving the stack's ${current.destinations.length} configured destinations as they are (no demo receivers)`,
    );
    return undefined;
  }
  const receivers = await startDemoReceivers(baseUrl);
  await client.putConfig('destinations', receivers.destinations);
  log('destinations: a webhook receiver, a Slack stand-in and a HubSpot recorder listen on 127.0.0.1 for this run');
  return { ...receivers, restore: async () => void (await client.putConfig('destinations', { destinations: [] })) };
}

/** Waits until the receivers have had no request for `quietMs` (deliveries caught up), `maxMs` at most. */
export async function untilQuiet(receivers: DemoReceivers, quietMs = 3_000, maxMs = 60_000): Promise<void> {
  const from = Date.now();
  let last = -1;
  let since = Date.now();
  while (Date.now() - from < maxMs) {
    const now = receivers.requests();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

import { PageTokens } from '../../functions/api/page-tokens';
import { event, jobOf, type TestStack, take, waitForJob } from './harness';

/** Events of one identified person at `domain`: an identify, then one track per signal. */
export function visitEvents(domain: string, person: string, signals: string[], topics: string[] = []): Record<string, unknown>[] {
  const anonymousId = `${person}@${domain}`;
  return [
    event({ type: 'identify', anonymousId, traits: { email: `${person}@${domain}` } }),
    ...signals.map((s, i) =>
      event({ type: 'track', event: s, anonymousId, properties: { topics, url: `https://media.example/${domain}/${i}` } }),
    ),
  ];
}

/** Posts events and waits until the rollup consumer has processed them. */
export async function collectAndDrain(stack: TestStack, events: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < events.length; i += 100) {
    const res = await stack.collect(events.slice(i, i + 100));
    if (res.status !== 202 || res.body.rejected.length) throw new Error(`collect failed: ${JSON.stringify(res.body)}`);
  }
  await stack.drain();
}

/** Receives and deletes every message on a pod's queue: what an integration would consume. */
export async function consumePodQueue(
  stack: TestStack,
  podId: string,
): Promise<{ type: string; domain: string; podId: string }[]> {
  const url = stack.queues[`pod-${podId}`]?.url;
  if (!url) throw new Error(`no queue for pod ${podId}`);
  return (await take(stack, url)) as { type: string; domain: string; podId: string }[];
}

/** The domains in a pod's queue, in queue order. */
export async function queueDomains(stack: TestStack, podId: string): Promise<string[]> {
  const res = await stack.api(`/v1/pods/${podId}/queue?limit=100`, { key: stack.secrets.sdrKey });
  if (res.status !== 200) throw new Error(`queue ${podId}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accounts.map((a: { domain: string }) => a.domain);
}

/**
 * PUT of a configuration section, failing loudly on a 400, then waiting for the job the change
 * started (re-score or re-materialisation) to end; answers that job's final status.
 */
export async function configure(stack: TestStack, section: string, value: unknown): Promise<any> {
  const res = await stack.api(`/v1/config/${section}`, {
    method: 'PUT',
    key: stack.secrets.adminKey,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(value),
  });
  if (res.status !== 200) throw new Error(`config ${section}: ${res.status} ${JSON.stringify(res.body)}`);
  const job = jobOf(res.body);
  return job ? waitForJob(stack, job) : undefined;
}

/** PUT /v1/accounts with JSON rows. */
export function upsert(stack: TestStack, accounts: unknown[]) {
  return stack.api('/v1/accounts', {
    method: 'PUT',
    key: stack.secrets.adminKey,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accounts }),
  });
}

/** A CSV upload (accounts, IP ranges) with the admin key. */
export function putCsv(stack: TestStack, path: string, csv: string) {
  return stack.api(path, { method: 'PUT', key: stack.secrets.adminKey, headers: { 'content-type': 'text/csv' }, body: csv });
}

/** A JSON request with the admin key (or `key`). */
export function send(stack: TestStack, method: string, path: string, body?: unknown, key = stack.secrets.adminKey) {
  return stack.api(path, {
    method,
    key,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
}

/** base64url JSON: the payload of every cursor and page token the API gives out, unsigned. */
export const cursorToken = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A token signed as the stack signs them: a forgery by someone holding the deployment's secret, checked for its shape alone. */
export const signedToken = (stack: TestStack, value: unknown) =>
  new PageTokens(stack.secrets.hashSecret).sign(cursorToken(value));
/** The payload of a token the API gave out. */
export const tokenPayload = (token: string) =>
  JSON.parse(Buffer.from(token.slice(0, token.lastIndexOf('.')), 'base64url').toString('utf8'));

/** Two pods: US accounts to `na`, everyone else to `default`. */
export const TWO_PODS = {
  pods: [
    { id: 'na', name: 'North America', match: { countries: ['US'] } },
    { id: 'default', name: 'Everyone else', match: {} },
  ],
};

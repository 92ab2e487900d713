import { ApiError, StackClient } from '../lib/stack-client';

/** The demo's calls on top of the scripts' client: firmographics, events, queues, audiences, stats. */

export interface Rejection {
  index: number;
  messageId?: string;
  code: string;
  message: string;
}

export interface QueueEntry {
  domain: string;
  name: string;
  priority: number;
  stage: string;
  fit?: { score: number; tier: string };
  reasons: string[];
}

export interface AccountView {
  domain: string;
  name: string;
  fit?: { score: number; tier: string; reasons: { message: string }[] };
  intent: { stage: string; score: number };
  priority: number;
  salesReady: boolean;
  pod: string | null;
  explanation: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class DemoClient extends StackClient {
  /** The collector's routes: a deployment serves them on the collector's own URL (`CollectorUrl`). */
  private readonly collector: StackClient;

  constructor(baseUrl: string, adminKey: string, collectorUrl = baseUrl) {
    super(baseUrl, adminKey);
    this.collector = new StackClient(collectorUrl, adminKey);
  }

  /** Answers undefined when the route does not exist (404), so the caller can carry on. */
  async putAccounts(accounts: unknown[]): Promise<{ upserted: number; rejected: Rejection[] } | undefined> {
    const res = await this.admin<{ upserted: number; rejected: Rejection[] }>('PUT', '/v1/accounts', { accounts });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new ApiError(res.status, res.body, 'PUT /v1/accounts');
    return res.body;
  }

  /** `POST /v1/collect` as a server-side forwarder would: no Origin, the visitors' browser user agent. */
  async collect(writeKey: string, batch: unknown[], userAgent: string): Promise<{ accepted: number; rejected: Rejection[] }> {
    const res = await this.collector.call<{ accepted: number; rejected: Rejection[] }>(
      'POST',
      '/v1/collect',
      { writeKey, batch },
      { 'user-agent': userAgent },
    );
    if (res.status !== 202) throw new ApiError(res.status, res.body, `POST /v1/collect (${writeKey})`);
    return res.body;
  }

  async podQueue(podId: string, limit = 10): Promise<QueueEntry[]> {
    const res = await this.admin<{ accounts: QueueEntry[] }>('GET', `/v1/pods/${encodeURIComponent(podId)}/queue?limit=${limit}`);
    if (res.status !== 200) throw new ApiError(res.status, res.body, `GET /v1/pods/${podId}/queue`);
    return res.body.accounts;
  }

  /** Every domain in a pod's queue, page after page (what an SDR tool pulls). */
  async queueDomains(podId: string): Promise<string[]> {
    const domains: string[] = [];
    let cursor: string | undefined;
    do {
      const query = `limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await this.admin<{ accounts: QueueEntry[]; nextCursor?: string }>(
        'GET',
        `/v1/pods/${encodeURIComponent(podId)}/queue?${query}`,
      );
      if (res.status !== 200) throw new ApiError(res.status, res.body, `GET /v1/pods/${podId}/queue`);
      domains.push(...res.body.accounts.map((a) => a.domain));
      cursor = res.body.nextCursor;
    } while (cursor);
    return domains;
  }

  /** SDR feedback on an account, in a simulated SDR's name. */
  async feedback(domain: string, outcome: string, reason?: string): Promise<void> {
    const body = { outcome, sdr: 'simulated-sdr', ...(reason && { reason }) };
    const res = await this.admin('POST', `/v1/accounts/${encodeURIComponent(domain)}/feedback`, body);
    if (res.status !== 201) throw new ApiError(res.status, res.body, `POST /v1/accounts/${domain}/feedback`);
  }

  /** The audiences and their sizes (`GET /v1/audiences`). */
  async audiences(): Promise<{ id: string; name: string; size: number }[]> {
    const res = await this.admin<{ audiences: { id: string; name: string; size: number }[] }>('GET', '/v1/audiences');
    if (res.status !== 200) throw new ApiError(res.status, res.body, 'GET /v1/audiences');
    return res.body.audiences;
  }

  /** Events the rollup has counted (every site's ingestion stats) since `from`. */
  async rolledUp(from: Date): Promise<number> {
    const res = await this.admin<{ sites: Record<string, { accepted: number }> }>(
      'GET',
      `/v1/ingestion/stats?from=${from.toISOString()}`,
    );
    if (res.status !== 200) throw new ApiError(res.status, res.body, 'GET /v1/ingestion/stats');
    return Object.values(res.body.sites).reduce((n, s) => n + s.accepted, 0);
  }

  async account(domain: string): Promise<AccountView | undefined> {
    const res = await this.admin<AccountView>('GET', `/v1/accounts/${encodeURIComponent(domain)}`);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new ApiError(res.status, res.body, `GET /v1/accounts/${domain}`);
    return res.body;
  }
}

export interface Batch<T> {
  writeKey: string;
  items: T[];
}

/**
 * Cuts a time-ordered stream into per-site batches of `size`, in the order their first event
 * happened, so a visitor's identify reaches the pipeline before what follows it.
 */
export function batchesInOrder<T>(events: { writeKey: string; event: T }[], size: number): Batch<T>[] {
  const open = new Map<string, Batch<T> & { first: number }>();
  const all: (Batch<T> & { first: number })[] = [];
  events.forEach(({ writeKey, event }, i) => {
    let batch = open.get(writeKey);
    if (!batch || batch.items.length >= size) {
      batch = { writeKey, items: [], first: i };
      open.set(writeKey, batch);
      all.push(batch);
    }
    batch.items.push(event);
  });
  return all.sort((a, b) => a.first - b.first).map(({ writeKey, items }) => ({ writeKey, items }));
}

/**
 * Runs `send` over the batches with at most `limit` in flight and never two of the same site
 * at once, so each site's events are queued in order while sites proceed in parallel.
 */
export async function sendLimited<T>(batches: Batch<T>[], limit: number, send: (b: Batch<T>) => Promise<void>): Promise<void> {
  const pending = [...batches];
  const busy = new Set<string>();
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined) {
      const i = pending.findIndex((b) => !busy.has(b.writeKey));
      if (i === -1) {
        if (pending.length === 0) return;
        await sleep(5);
        continue;
      }
      const [batch] = pending.splice(i, 1) as [Batch<T>];
      busy.add(batch.writeKey);
      try {
        await send(batch);
      } catch (err) {
        failure = err;
      } finally {
        busy.delete(batch.writeKey);
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  if (failure !== undefined) throw failure;
}

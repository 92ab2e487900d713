import { createHash } from 'node:crypto';
import { Client } from '@hubspot/api-client';
import type { Destination } from '@intent/config';
import type { DeliveryRecord } from '@intent/store';
import type { Attempt } from './deliver-stream';
import { parseRetryAfter } from './delivery-schedule';

type HubspotDestination = Extract<Destination, { type: 'hubspot' }>;

/** The company properties the pipeline writes, created in HubSpot when missing. */
export const HUBSPOT_PROPERTIES = [
  { name: 'intent_stage', label: 'Intent stage', type: 'string', fieldType: 'text' },
  { name: 'intent_priority', label: 'Intent priority', type: 'number', fieldType: 'number' },
  { name: 'intent_top_topics', label: 'Intent top topics', type: 'string', fieldType: 'text' },
  { name: 'intent_fit_tier', label: 'Fit tier', type: 'string', fieldType: 'text' },
  { name: 'intent_reasons', label: 'Intent reasons', type: 'string', fieldType: 'textarea' },
] as const;
const GROUP = 'companyinformation';
/** HubSpot's batch update takes at most 100 companies. */
const MAX_BATCH = 100;
/** How long writes gather before one batch update: the deliveries of one queue batch run at once, each after its own company search. */
const GATHER_MS = 250;
/** A daily limit hit: look again in an hour (HubSpot resets at midnight in the portal's time zone, which we do not know). */
const DAILY_LIMIT_WAIT_MS = 3_600_000;
/** A 429 without Retry-After (HubSpot's per-second limits): ten seconds. */
const BURST_LIMIT_WAIT_MS = 10_000;

interface AccountData {
  domain: string;
  stage: string;
  priority: number;
  tier: string;
  reasons: string[];
  topics?: { topic: string }[];
  crmId?: string;
}

/** The company properties an account change writes: stage, priority, top topics, fit tier and the reasons. */
function hubspotProperties(data: AccountData): Record<string, string> {
  return {
    intent_stage: data.stage,
    intent_priority: String(Math.round(data.priority)),
    intent_top_topics: (data.topics ?? []).map((t) => t.topic).join(', '),
    intent_fit_tier: data.tier,
    intent_reasons: data.reasons.join('\n').slice(0, 65_000),
  };
}

/** What failed in HubSpot, as an attempt: its status, and when a 429 says to come back. */
function attemptOf(err: unknown): Attempt {
  const e = err as { code?: unknown; headers?: Record<string, string>; body?: unknown; message?: string };
  if (typeof e.code !== 'number') return { status: 0, error: e.message ?? String(err) };
  const body = typeof e.body === 'string' ? e.body : JSON.stringify(e.body ?? '');
  if (e.code !== 429) return { status: e.code, error: body.slice(0, 300) };
  const daily = body.includes('DAILY');
  const retryAfterMs =
    parseRetryAfter(e.headers?.['retry-after'], Date.now()) ?? (daily ? DAILY_LIMIT_WAIT_MS : BURST_LIMIT_WAIT_MS);
  return { status: 429, retryAfterMs, error: daily ? 'HubSpot daily limit reached' : 'HubSpot rate limit' };
}

/**
 * One HubSpot portal (token): creates the missing properties once, finds each account's
 * company (by `crmId`, else by domain), and gathers company updates from concurrent deliveries
 * into batch updates of up to 100.
 */
class HubspotPortal {
  private readonly client: Client;
  private properties?: Promise<void>;
  private gathering: { id: string; properties: Record<string, string>; done: (a: Attempt) => void }[] = [];
  private timer?: NodeJS.Timeout;

  constructor(accessToken: string, basePath?: string) {
    this.client = new Client({ accessToken, ...(basePath ? { basePath } : {}) });
  }

  async write(data: AccountData): Promise<Attempt> {
    try {
      this.properties ??= this.ensureProperties().catch((err) => {
        this.properties = undefined;
        throw err;
      });
      await this.properties;
      const id = data.crmId ?? (await this.companyByDomain(data.domain));
      if (!id) return { status: 404, error: `no HubSpot company with domain ${data.domain}` };
      return await this.update(id, hubspotProperties(data));
    } catch (err) {
      return attemptOf(err);
    }
  }

  private async ensureProperties(): Promise<void> {
    const existing = new Set((await this.client.crm.properties.coreApi.getAll('companies')).results.map((p) => p.name));
    const missing = HUBSPOT_PROPERTIES.filter((p) => !existing.has(p.name));
    if (!missing.length) return;
    await this.client.crm.properties.batchApi.create('companies', {
      inputs: missing.map((p) => ({ ...p, groupName: GROUP, description: 'Written by intent-pipeline' })) as never,
    });
  }

  private async companyByDomain(domain: string): Promise<string | undefined> {
    const found = await this.client.crm.companies.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'domain', operator: 'EQ' as never, value: domain }] }],
      properties: ['domain'],
      limit: 1,
    });
    return found.results[0]?.id;
  }

  /** Queues the update for the next batch; answers that company's outcome. */
  private update(id: string, properties: Record<string, string>): Promise<Attempt> {
    return new Promise((done) => {
      this.gathering.push({ id, properties, done });
      if (this.gathering.length >= MAX_BATCH) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), GATHER_MS);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.gathering.splice(0, MAX_BATCH);
    if (!batch.length) return;
    // One company once per batch: HubSpot refuses duplicate ids; the later write carries the newer state.
    const byId = new Map(batch.map((u) => [u.id, u.properties]));
    this.client.crm.companies.batchApi
      .update({ inputs: [...byId].map(([id, properties]) => ({ id, properties })) })
      .then((res) => {
        const failed = new Map<string, string>();
        for (const e of (res as { errors?: { message: string; context?: { ids?: string[] } }[] }).errors ?? []) {
          for (const id of e.context?.ids ?? []) failed.set(id, e.message);
        }
        for (const u of batch) u.done(failed.has(u.id) ? { status: 404, error: failed.get(u.id) } : { status: 200 });
      })
      .catch((err) => {
        const attempt = attemptOf(err);
        for (const u of batch) u.done(attempt);
      });
    if (this.gathering.length) this.timer = setTimeout(() => this.flush(), GATHER_MS);
  }
}

/** Portals by destination and token, kept per warm function: properties are checked once. */
const portals = new Map<string, HubspotPortal>();

/**
 * Writes an account change into its HubSpot company (the destination's token in plain); the
 * destination's `baseUrl` points the client elsewhere than api.hubapi.com (tests: a local recorder).
 */
export function sendHubspot(destination: HubspotDestination, event: DeliveryRecord): Promise<Attempt> {
  const basePath = destination.baseUrl?.replace(/\/$/, '');
  const key = `${destination.id}\n${createHash('sha256').update(destination.accessToken).digest('hex')}\n${basePath ?? ''}`;
  let portal = portals.get(key);
  if (!portal) {
    portal = new HubspotPortal(destination.accessToken, basePath);
    portals.set(key, portal);
  }
  return portal.write(event.data as unknown as AccountData);
}

import { normalizeDomain } from '@intent/fit';
import { badRequest, bulkRows, type HttpRequest, json, notFound, type Route, requireScope, tooLarge } from '@intent/http';
import { describeAccount, MAX_UPSERT_ROWS, type ServiceDeps, upsertAccounts } from '@intent/pipeline';
import type { AccountRecord } from '@intent/qualify';
import { InvalidCursorError } from '@intent/store';
import { configs, deliverPodMessages, pageTokens, principalOf, publishAudienceChanges, store } from './deps';
import { invalidCursor } from './page-tokens';

/** The `{domain}` path parameter, normalised like every account key (400 when it is no domain). */
export function domainParam(req: HttpRequest): string {
  const domain = normalizeDomain(req.params.domain ?? '');
  if (!domain)
    throw badRequest('invalid_domain', `"${req.params.domain}" is not a domain`, [{ path: 'domain', message: 'not a domain' }]);
  return domain;
}

/** What the pipeline services need: the store, the current configuration and the time. */
export async function serviceDeps(): Promise<ServiceDeps> {
  return { store, config: await configs.get(), now: new Date(), publishAudienceChanges };
}

/** The account as `GET /v1/accounts/{domain}` shows it: firmographics, fit, intent, priority and why. */
export function accountView(record: AccountRecord) {
  const s = record.score;
  return {
    domain: record.domain,
    name: record.firmographics?.name ?? record.domain,
    ...record.firmographics,
    fit: s ? { score: s.fit.score, tier: s.fit.tier, reasons: s.fit.reasons } : undefined,
    intent: s
      ? { stage: s.intent.stage, score: s.intent.score, topics: s.intent.topics }
      : { stage: 'cold', score: 0, topics: [] },
    priority: s?.priority ?? 0,
    salesReady: s?.salesReady ?? false,
    pod: s?.pod ?? null,
    queuedIn: s?.queuedIn ?? null,
    audiences: s?.audiences ?? [],
    explanation: s?.explanation ?? [],
    scoredAt: s?.scoredAt,
    claimedBy: record.claim?.sdr ?? null,
    claimExpiresAt: record.claim?.expiresAt ?? null,
    outcome: record.hold?.outcome ?? null,
    outcomeAt: record.hold?.outcomeAt ?? null,
  };
}

/** A pod queue entry: the account, its place and its claim. */
function queueEntry(record: AccountRecord) {
  const view = accountView(record);
  return {
    domain: view.domain,
    name: view.name,
    priority: view.priority,
    fit: view.fit,
    intent: view.intent,
    stage: view.intent.stage,
    reasons: view.explanation,
    pushedAt: record.score?.pushedAt ?? null,
    claimedBy: record.claim?.sdr ?? null,
    claimExpiresAt: record.claim?.expiresAt ?? null,
  };
}

export const accountRoutes: Record<string, Route> = {
  /** Bulk upsert of firmographics: JSON `{"accounts": [...]}` or CSV; bad rows reported by index. */
  'PUT /v1/accounts': async (req) => {
    requireScope(await principalOf(req), 'admin');
    const rows = bulkRows(req, 'accounts', ['domain']);
    if (rows.length > MAX_UPSERT_ROWS)
      throw tooLarge('too_many_rows', `at most ${MAX_UPSERT_ROWS} accounts per request; split the upload`);
    const result = await upsertAccounts(rows, await serviceDeps());
    await deliverPodMessages(result.messages);
    const { upserted, rejected, rescored, ignoredFields } = result;
    return json(200, { upserted, rejected, rescored, ...(ignoredFields.length ? { ignoredFields } : {}) });
  },
  'GET /v1/accounts/{domain}': async (req) => {
    requireScope(await principalOf(req), 'admin');
    const domain = domainParam(req);
    const record = await store.accounts.get(domain);
    if (!record) throw notFound(`no account ${domain} has been seen`);
    return json(200, accountView(await describeAccount(record, await serviceDeps())));
  },
  'GET /v1/pods/{podId}/queue': async (req) => {
    const podId = req.params.podId ?? '';
    requireScope(await principalOf(req), `sdr:${podId}`);
    const limit = Number(req.query.limit ?? 25);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw badRequest('invalid_request', 'limit: a whole number from 1 to 100', [
        { path: 'limit', message: 'a whole number from 1 to 100' },
      ]);
    }
    const tokens = await pageTokens();
    const cursor = req.query.cursor === undefined ? undefined : tokens.open(req.query.cursor);
    const refused = () => invalidCursor('cursor', 'not a cursor this API gave out for this queue');
    if (req.query.cursor !== undefined && cursor === undefined) throw refused();
    try {
      const page = await store.accounts.podQueue(podId, limit, cursor);
      // A mistyped pod would look like a quiet one; a pod taken out of the configuration keeps
      // serving what is still queued in it.
      if (!page.accounts.length && cursor === undefined) {
        const pods = (await configs.get()).pods.pods.map((p) => p.id);
        if (!pods.includes(podId)) throw notFound(`no pod ${podId}; pods are ${pods.join(', ')}`);
      }
      const next = page.nextCursor ? { nextCursor: tokens.sign(page.nextCursor) } : {};
      return json(200, { accounts: page.accounts.map(queueEntry), ...next });
    } catch (err) {
      if (err instanceof InvalidCursorError) throw refused();
      throw err;
    }
  },
};

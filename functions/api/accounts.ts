import { normalizeDomain } from '@intent/fit';
import { type Route, badRequest, json, notFound, requireScope } from '@intent/http';
import { type AccountRecord, InvalidCursorError } from '@intent/store';
import { principalOf, store } from './deps';

/** The account as `GET /v1/accounts/{domain}` shows it: firmographics, fit, intent, priority and why. */
export function accountView(record: AccountRecord) {
  const s = record.score;
  return {
    domain: record.domain,
    name: record.firmographics?.name ?? record.domain,
    ...record.firmographics,
    fit: s ? { score: s.fit.score, tier: s.fit.tier, reasons: s.fit.reasons } : undefined,
    intent: s ? { stage: s.intent.stage, score: s.intent.score, topics: s.intent.topics } : { stage: 'cold', score: 0, topics: [] },
    priority: s?.priority ?? 0,
    salesReady: s?.salesReady ?? false,
    pod: s?.pod ?? null,
    queuedIn: s?.queuedIn ?? null,
    audiences: [],
    explanation: s?.explanation ?? [],
    scoredAt: s?.scoredAt,
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
  'GET /v1/accounts/{domain}': async (req) => {
    requireScope(await principalOf(req), 'admin');
    const domain = normalizeDomain(req.params.domain ?? '');
    if (!domain) throw badRequest('invalid_domain', `"${req.params.domain}" is not a domain`);
    const record = await store.accounts.get(domain);
    if (!record) throw notFound(`no account ${domain} has been seen`);
    return json(200, accountView(record));
  },
  'GET /v1/pods/{podId}/queue': async (req) => {
    const podId = req.params.podId ?? '';
    requireScope(await principalOf(req), `sdr:${podId}`);
    const limit = Number(req.query.limit ?? 25);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw badRequest('invalid_request', 'limit: a whole number from 1 to 100', [{ path: 'limit', message: 'a whole number from 1 to 100' }]);
    }
    try {
      const page = await store.accounts.podQueue(podId, limit, req.query.cursor);
      return json(200, { accounts: page.accounts.map(queueEntry), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
    } catch (err) {
      if (err instanceof InvalidCursorError) throw badRequest('invalid_cursor', err.message, [{ path: 'cursor', message: err.message }]);
      throw err;
    }
  },
};

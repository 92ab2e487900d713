import { randomUUID } from 'node:crypto';
import { forbidden, hasScope, json, jsonBody, notFound, parseWith, type Route } from '@intent/http';
import { FeedbackInput, feedbackPods, giveFeedback } from '@intent/pipeline';
import { domainParam, serviceDeps } from './accounts';
import { deliverPodMessages, principalOf, store } from './deps';

export const feedbackRoutes: Record<string, Route> = {
  /**
   * SDR or CRM feedback on an account. An `sdr:<podId>` key may report only on accounts queued
   * in or routed to its pod; an admin key (a CRM sync) on any.
   */
  'POST /v1/accounts/{domain}/feedback': async (req) => {
    const principal = await principalOf(req);
    if (!principal.scopes.some((s) => s === 'admin' || s.startsWith('sdr:'))) {
      throw forbidden('insufficient_scope', 'this API key lacks the scope admin or sdr:<podId>');
    }
    const domain = domainParam(req);
    const input = parseWith(FeedbackInput, jsonBody(req));
    const account = await store.accounts.get(domain, true);
    // An SDR key hears the same 403 for an unknown account as for another pod's, naming no pod:
    // otherwise it could probe which domains the stack has seen and where they are routed.
    const pods = account ? feedbackPods(account) : [];
    if (!hasScope(principal, 'admin') && !pods.some((podId) => hasScope(principal, `sdr:${podId}`))) {
      throw forbidden('insufficient_scope', 'this API key may give feedback only on accounts routed to its pod');
    }
    if (!account) throw notFound(`no account ${domain} has been seen`);
    // Feedback that names no SDR, sent with a personal key, is that key's SDR's.
    const sdr = input.sdr ?? principal.sdr;
    const result = await giveFeedback(account, { ...input, sdr }, await serviceDeps(), randomUUID());
    if (result.outcome === 'not_found') throw notFound(`no account ${domain} has been seen`);
    await deliverPodMessages(result.messages);
    const { record } = result;
    return json(201, {
      id: record.id,
      domain: record.domain,
      outcome: record.outcome,
      reason: record.reason ?? null,
      bant: record.bant ?? null,
      sdr: record.sdr ?? null,
      podId: record.podId ?? null,
      at: record.at,
    });
  },
};

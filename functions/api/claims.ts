import {
  actingSdr,
  badRequest,
  conflict,
  forbidden,
  type HttpRequest,
  hasScope,
  json,
  jsonBody,
  notFound,
  parseWith,
  type Route,
  requireScope,
} from '@intent/http';
import { claimAccount, releaseClaim } from '@intent/pipeline';
import { z } from 'zod';
import { domainParam, serviceDeps } from './accounts';
import { deliverPodMessages, principalOf } from './deps';

const Sdr = z.string().trim().min(1).max(100);
const ClaimBody = z.object({ sdr: Sdr.optional() });

const PATH = '/v1/pods/{podId}/queue/{domain}/claim';

export const claimRoutes: Record<string, Route> = {
  /** Takes or renews a lease of `sla.claimHours` on an account in the pod's queue, in the SDR's name. */
  [`POST ${PATH}`]: async (req) => {
    const podId = req.params.podId ?? '';
    const principal = await principalOf(req);
    requireScope(principal, `sdr:${podId}`);
    const domain = domainParam(req);
    const sdr = actingSdr(principal, namedSdr(req));
    if (!sdr) throw badRequest('invalid_request', 'sdr: name the SDR who claims', [{ path: 'sdr', message: 'required' }]);
    const result = await claimAccount(podId, domain, sdr, await serviceDeps());
    if (result.outcome === 'not_in_queue') throw notFound(`${domain} is not in the queue of pod ${podId}`);
    if (result.outcome === 'held') {
      throw conflict('claim_conflict', `${domain} is claimed by ${result.claim.sdr} until ${result.claim.expiresAt}`);
    }
    return json(200, { domain, claimedBy: result.claim.sdr, claimExpiresAt: result.claim.expiresAt });
  },
  /** Ends a lease: a personal key ends its own, an admin any (DELETE is idempotent). */
  [`DELETE ${PATH}`]: async (req) => {
    const podId = req.params.podId ?? '';
    const principal = await principalOf(req);
    requireScope(principal, `sdr:${podId}`);
    const domain = domainParam(req);
    // Every non-admin key that passed the scope check holds an `sdr:` scope, so it is personal.
    const sdr = hasScope(principal, 'admin') ? undefined : actingSdr(principal, namedSdr(req));
    const result = await releaseClaim(podId, domain, sdr, await serviceDeps());
    if (result.outcome === 'not_in_queue') throw notFound(`${domain} is not in the queue of pod ${podId}`);
    if (result.outcome === 'held') {
      throw forbidden(
        'claim_not_yours',
        `${domain} is claimed by ${result.claim.sdr}: only their key or an admin can release it`,
      );
    }
    await deliverPodMessages(result.messages);
    return { status: 204, text: '' };
  },
};

/** The SDR a request names, in `?sdr=` or a `{"sdr"}` body (400 with the field path when malformed). */
function namedSdr(req: HttpRequest): string | undefined {
  const body = req.body.trim() ? parseWith(ClaimBody, jsonBody(req)) : {};
  return parseWith(ClaimBody, { sdr: req.query.sdr ?? body.sdr }).sdr;
}

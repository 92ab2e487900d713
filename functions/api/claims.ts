import { badRequest, conflict, hasScope, json, jsonBody, notFound, parseWith, type Route, requireScope } from '@intent/http';
import { claimAccount, podQueueUrls, publishPodMessages, releaseClaim, sqs } from '@intent/pipeline';
import { z } from 'zod';
import { domainParam, serviceDeps } from './accounts';
import { logger, principalOf } from './deps';

const Sdr = z.string().trim().min(1).max(100);
const ClaimBody = z.object({ sdr: Sdr });
const ReleaseBody = z.object({ sdr: Sdr.optional() });

const PATH = '/v1/pods/{podId}/queue/{domain}/claim';

export const claimRoutes: Record<string, Route> = {
  /** Takes or renews a lease of `sla.claimHours` on an account in the pod's queue. */
  [`POST ${PATH}`]: async (req) => {
    const podId = req.params.podId ?? '';
    requireScope(await principalOf(req), `sdr:${podId}`);
    const domain = domainParam(req);
    const { sdr } = parseWith(ClaimBody, jsonBody(req));
    const result = await claimAccount(podId, domain, sdr, await serviceDeps());
    if (result.outcome === 'not_in_queue') throw notFound(`${domain} is not in the queue of pod ${podId}`);
    if (result.outcome === 'held') {
      throw conflict('claim_conflict', `${domain} is claimed by ${result.claim.sdr} until ${result.claim.expiresAt}`);
    }
    return json(200, { domain, claimedBy: result.claim.sdr, claimExpiresAt: result.claim.expiresAt });
  },
  /** Ends a lease: the holder names themselves (`?sdr=` or `{"sdr"}`); an admin ends any. */
  [`DELETE ${PATH}`]: async (req) => {
    const podId = req.params.podId ?? '';
    const principal = await principalOf(req);
    requireScope(principal, `sdr:${podId}`);
    const domain = domainParam(req);
    const body = req.body.trim() ? parseWith(ReleaseBody, jsonBody(req)) : {};
    const sdr = parseWith(ReleaseBody, { sdr: req.query.sdr ?? body.sdr }).sdr;
    const admin = hasScope(principal, 'admin');
    if (!admin && !sdr)
      throw badRequest('invalid_request', 'sdr: name the SDR who holds the claim', [{ path: 'sdr', message: 'required' }]);
    const result = await releaseClaim(podId, domain, admin ? undefined : sdr, await serviceDeps());
    if (result.outcome === 'not_in_queue') throw notFound(`${domain} is not in the queue of pod ${podId}`);
    if (result.outcome === 'held') {
      throw conflict('claim_conflict', `${domain} is claimed by ${result.claim.sdr}, who alone (or an admin) can release it`);
    }
    await publishPodMessages(sqs, podQueueUrls(), result.messages, logger);
    return { status: 204, text: '' };
  },
};

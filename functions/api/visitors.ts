import { AnonymousId } from '@intent/events';
import { json, parseWith, type Route, requireScope } from '@intent/http';
import { eraseVisitor } from '@intent/pipeline';
import { z } from 'zod';
import { serviceDeps } from './accounts';
import { deliverPodMessages, hashSecret, principalOf } from './deps';

const ErasePath = z.object({ anonymousId: AnonymousId });

export const visitorRoutes: Record<string, Route> = {
  /**
   * Erases a visitor (GDPR / CCPA): its identity link, pending events and person hashes, and
   * re-scores the account it was linked to. Idempotent: 200 with what was erased, zeros included.
   */
  'DELETE /v1/visitors/{anonymousId}': async (req) => {
    requireScope(await principalOf(req), 'admin');
    const { anonymousId } = parseWith(ErasePath, { anonymousId: req.params.anonymousId ?? '' });
    const { messages, ...result } = await eraseVisitor(anonymousId, { ...(await serviceDeps()), hashSecret: await hashSecret() });
    await deliverPodMessages(messages);
    return json(200, result);
  },
};

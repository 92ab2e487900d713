import { json, type Route, requireScope } from '@intent/http';
import { icpSuggestion } from '@intent/pipeline';
import { principalOf, store } from './deps';

export const icpRoutes: Record<string, Route> = {
  /** An ICP proposed from the closed-won accounts, with the evidence and how many accounts it rests on. */
  'GET /v1/icp/suggestion': async (req) => {
    requireScope(await principalOf(req), 'admin');
    return json(200, await icpSuggestion(store));
  },
};

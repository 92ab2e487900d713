import { type Config, SECTION_NAMES, SECTION_SCHEMAS, type SectionName } from '@intent/config';
import { invalidInput, json, jsonBody, notFound, type Route, requireScope } from '@intent/http';
import { publishPodMessages, rematerialiseAudiences, rescoreStale, sqs } from '@intent/pipeline';
import { configs, logger, podQueueUrls, principalOf, publishAudienceChanges, store } from './deps';

/**
 * How long a definition change may start accounts for: the api function's 29 s less time to
 * finish the accounts begun and log their changes.
 */
const REMATERIALISE_BUDGET_MS = 20_000;

/** Sections whose change can move a score; `sites` and `audiences` do not. */
const SCORING_SECTIONS = new Set<SectionName>(['topics', 'signals', 'icp', 'pods', 'sla']);

function sectionOf(name: string | undefined): SectionName {
  if (!SECTION_NAMES.includes(name as SectionName)) {
    throw notFound(`no configuration section "${name}"; sections are ${SECTION_NAMES.join(', ')}`);
  }
  return name as SectionName;
}

export const configRoutes: Record<string, Route> = {
  'GET /v1/config/{section}': async (req) => {
    requireScope(await principalOf(req), 'admin');
    const section = sectionOf(req.params.section);
    configs.invalidate();
    return json(200, (await configs.get())[section]);
  },
  'PUT /v1/config/{section}': async (req) => {
    requireScope(await principalOf(req), 'admin');
    const section = sectionOf(req.params.section);
    const parsed = SECTION_SCHEMAS[section].safeParse(jsonBody(req));
    if (!parsed.success) throw invalidInput(parsed.error);
    const now = new Date();
    const revision = await store.config.put(section, parsed.data as Config[typeof section], now);
    configs.invalidate();
    const read = await configs.get();
    // What was just written, whatever a lagging read answered.
    const config = { ...read, [section]: parsed.data, revisions: { ...read.revisions, [section]: revision } } as Config;
    const deps = { store, config, now, publishAudienceChanges };
    if (SCORING_SECTIONS.has(section)) {
      const outcome = await rescoreStale(deps);
      await publishPodMessages(sqs, podQueueUrls, outcome.podMessages, logger);
      return json(200, { section, value: parsed.data, rescored: outcome.saved });
    }
    if (section === 'audiences') {
      // A definition changes no score: membership is re-evaluated from the stored scores, in
      // this request, writing only what differs (README, "Marketing audiences"). Accounts not
      // begun by the deadline are left to the hourly schedule: 202 says so.
      const outcome = await rematerialiseAudiences({
        ...deps,
        clock: () => new Date(),
        deadline: now.getTime() + REMATERIALISE_BUDGET_MS,
      });
      if (!outcome.complete && !outcome.superseded) logger.warn('audience re-materialisation incomplete', { ...outcome });
      return json(outcome.complete || outcome.superseded ? 200 : 202, { section, value: parsed.data, rematerialised: outcome });
    }
    return json(200, { section, value: parsed.data });
  },
};

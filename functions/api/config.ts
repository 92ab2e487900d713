import { type Config, SECTION_NAMES, SECTION_SCHEMAS, type SectionName } from '@intent/config';
import { type Route, invalidInput, json, jsonBody, notFound, requireScope } from '@intent/http';
import { publishPodMessages, rematerialiseAudiences, rescoreAccount, rescoreStale, sqs } from '@intent/pipeline';
import { configs, logger, podQueueUrls, principalOf, publishAudienceChanges, store } from './deps';

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
    await store.config.put(section, parsed.data as Config[typeof section], now);
    configs.invalidate();
    let rescored: number | undefined;
    const deps = { store, config: await configs.get(), now, publishAudienceChanges };
    if (SCORING_SECTIONS.has(section)) {
      const outcome = await rescoreStale(deps);
      await publishPodMessages(sqs, podQueueUrls, outcome.podMessages, logger);
      rescored = outcome.saved;
    }
    if (section === 'audiences') {
      // New definitions re-materialise membership now, writing only what differs.
      const outcome = await rematerialiseAudiences(deps, async (domain) => {
        const result = await rescoreAccount(domain, deps);
        await publishPodMessages(sqs, podQueueUrls, result.messages, logger);
        return result;
      });
      rescored = outcome.accounts - outcome.failed;
    }
    return json(200, { section, value: parsed.data, ...(rescored === undefined ? {} : { rescored }) });
  },
};

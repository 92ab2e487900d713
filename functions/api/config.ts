import {
  type Config,
  maskServerKeys,
  type PodsConfig,
  restoreMaskedKeys,
  SECTION_NAMES,
  SECTION_SCHEMAS,
  type SectionName,
} from '@intent/config';
import { invalidInput, json, jsonBody, notFound, type Route, requireScope } from '@intent/http';
import { afterConfigChange, podQueueUrls, podsNeedingDeploy } from '@intent/pipeline';
import { configs, jobDeps, principalOf, store } from './deps';

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
    return json(200, shown(await configs.get(), section));
  },
  /**
   * Stores the section and answers at once; what the change affects is re-scored (or, for
   * audiences, re-materialised) by a job whose id the answer carries (`GET /v1/jobs/{id}`).
   * For `pods`, `needsDeploy` names the configured pods this deployment has no SQS queue for.
   */
  'PUT /v1/config/{section}': async (req) => {
    requireScope(await principalOf(req), 'admin');
    const section = sectionOf(req.params.section);
    configs.invalidate();
    const body = section === 'sites' ? restoreMaskedKeys(jsonBody(req), (await configs.get()).sites) : jsonBody(req);
    const parsed = SECTION_SCHEMAS[section].safeParse(body);
    if (!parsed.success) throw invalidInput(parsed.error);
    const now = new Date();
    const revision = await store.config.put(section, parsed.data as Config[typeof section], now);
    configs.invalidate();
    const read = await configs.get();
    // What was just written, whatever a lagging read answered.
    const config = { ...read, [section]: parsed.data, revisions: { ...read.revisions, [section]: revision } } as Config;
    const job = await afterConfigChange(jobDeps, section, config);
    const needsDeploy = section === 'pods' ? podsNeedingDeploy(parsed.data as PodsConfig, podQueueUrls()) : undefined;
    return json(200, { section, value: shown(config, section), revision, ...job, ...(needsDeploy ? { needsDeploy } : {}) });
  },
};

/** A section as the API shows it: server write keys are write-only, masked. */
function shown(config: Config, section: SectionName): unknown {
  return section === 'sites' ? maskServerKeys(config.sites) : config[section];
}

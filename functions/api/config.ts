import {
  type Config,
  maskServerKeys,
  type PodsConfig,
  restoreMaskedKeys,
  SECTION_NAMES,
  SECTION_SCHEMAS,
  type SectionName,
  type SitesConfig,
} from '@intent/config';
import {
  type HttpResponse,
  invalidInput,
  json,
  jsonBody,
  notFound,
  type Principal,
  type Route,
  requireScope,
} from '@intent/http';
import { afterConfigChange, podQueueUrls, podsNeedingDeploy } from '@intent/pipeline';
import { configs, jobDeps, logger, principalOf, store } from './deps';

export function sectionOf(name: string | undefined): SectionName {
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
    return json(200, shown(section, (await configs.get())[section]));
  },
  /**
   * Stores the section and answers at once; what the change affects is re-scored (or, for
   * audiences, re-materialised) by a job whose id the answer carries (`GET /v1/jobs/{id}`).
   * For `pods`, `needsDeploy` names the configured pods this deployment has no SQS queue for.
   */
  'PUT /v1/config/{section}': async (req) => {
    const principal = await principalOf(req);
    requireScope(principal, 'admin');
    return applySection(principal, sectionOf(req.params.section), jsonBody(req));
  },
};

/**
 * A section body validated as `PUT` validates it (400 with field paths); for `sites`, a masked
 * server key (what `GET` shows) stands for the site's stored key.
 */
export async function validSection(section: SectionName, body: unknown): Promise<Config[SectionName]> {
  configs.invalidate();
  const unmasked = section === 'sites' ? restoreMaskedKeys(body, (await configs.get()).sites) : body;
  const parsed = SECTION_SCHEMAS[section].safeParse(unmasked);
  if (!parsed.success) throw invalidInput(parsed.error);
  return parsed.data as Config[SectionName];
}

/**
 * What a `PUT` does, and a restore with an earlier revision's value: validates, stores the
 * section as a new revision made by `principal`, and starts the work the change needs.
 */
export async function applySection(
  principal: Principal,
  section: SectionName,
  body: unknown,
  restoredFrom?: number,
): Promise<HttpResponse> {
  const value = await validSection(section, body);
  const by = { keyId: principal.keyId, name: principal.name };
  const onHistoryLost = (error: unknown) =>
    logger.warn('configuration history not written; the next change of the section writes it', { section, error });
  const revision = await store.config.put(section, value, new Date(), { by, restoredFrom, onHistoryLost });
  configs.invalidate();
  const read = await configs.get();
  // What was just written, whatever a lagging read answered.
  const config = { ...read, [section]: value, revisions: { ...read.revisions, [section]: revision } } as Config;
  const job = await afterConfigChange(jobDeps, section, config);
  const needsDeploy = section === 'pods' ? podsNeedingDeploy(value as PodsConfig, podQueueUrls()) : undefined;
  return json(200, {
    section,
    value: shown(section, value),
    revision,
    ...(restoredFrom === undefined ? {} : { restoredFrom }),
    ...job,
    ...(needsDeploy ? { needsDeploy } : {}),
  });
}

/** A section as the API shows it: server write keys are write-only, masked. */
export function shown(section: SectionName, value: Config[SectionName]): unknown {
  return section === 'sites' ? maskServerKeys(value as SitesConfig) : value;
}

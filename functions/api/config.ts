import {
  type Config,
  type DestinationsConfig,
  maskDestinationSecrets,
  maskServerKeys,
  type PodsConfig,
  restoreMaskedKeys,
  restoreMaskedSecrets,
  SECTION_NAMES,
  SECTION_SCHEMAS,
  type SectionName,
} from '@intent/config';
import { badRequest, invalidInput, json, jsonBody, notFound, type Route, requireScope } from '@intent/http';
import { afterConfigChange, podQueueUrls, podsNeedingDeploy, SecretBox, sealDestinationSecrets } from '@intent/pipeline';
import { configs, hashSecret, jobDeps, principalOf, store } from './deps';

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
    const current = await configs.get();
    const body = restoreMasked(section, jsonBody(req), current);
    const parsed = SECTION_SCHEMAS[section].safeParse(body);
    if (!parsed.success) throw invalidInput(parsed.error);
    const value =
      section === 'destinations' ? await sealed(parsed.data as DestinationsConfig, current.destinations) : parsed.data;
    const now = new Date();
    const revision = await store.config.put(section, value as Config[typeof section], now);
    configs.invalidate();
    const read = await configs.get();
    // What was just written, whatever a lagging read answered.
    const config = { ...read, [section]: value, revisions: { ...read.revisions, [section]: revision } } as Config;
    const job = await afterConfigChange(jobDeps, section, config);
    const needsDeploy = section === 'pods' ? podsNeedingDeploy(parsed.data as PodsConfig, podQueueUrls()) : undefined;
    return json(200, { section, value: shown(config, section), revision, ...job, ...(needsDeploy ? { needsDeploy } : {}) });
  },
};

/** A PUT body with the masked secrets GET showed put back to the stored ones (sites' server keys, destination secrets). */
function restoreMasked(section: SectionName, body: unknown, current: Config): unknown {
  if (section === 'sites') return restoreMaskedKeys(body, current.sites);
  if (section === 'destinations') return restoreMaskedSecrets(body, current.destinations);
  return body;
}

/** The destinations as stored: secrets sealed; a sealed value this deployment did not store there is refused. */
async function sealed(section: DestinationsConfig, stored: DestinationsConfig): Promise<DestinationsConfig> {
  const { sealed, foreign } = sealDestinationSecrets(section, stored, new SecretBox(await hashSecret()));
  if (foreign.length) {
    const details = foreign.map((f) => ({
      path: ['destinations', f.index, ...f.path].join('.'),
      message: 'an encrypted value this destination does not hold: send the secret itself, or the masked value GET shows',
    }));
    throw badRequest('invalid_request', `${details[0]?.path}: ${details[0]?.message}`, details);
  }
  return sealed;
}

/** A section as the API shows it: server write keys and destination secrets are write-only, masked. */
function shown(config: Config, section: SectionName): unknown {
  if (section === 'sites') return maskServerKeys(config.sites);
  if (section === 'destinations') return maskDestinationSecrets(config.destinations);
  return config[section];
}

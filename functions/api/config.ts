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
  type SitesConfig,
} from '@intent/config';
import {
  badRequest,
  type HttpResponse,
  invalidInput,
  json,
  jsonBody,
  notFound,
  type Principal,
  type Route,
  requireScope,
} from '@intent/http';
import { afterConfigChange, podQueueUrls, podsNeedingDeploy, SecretBox, sealDestinationSecrets } from '@intent/pipeline';
import { configs, hashSecret, jobDeps, logger, principalOf, store } from './deps';

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
 * A section body validated as `PUT` validates it (400 with field paths); a masked secret (what
 * `GET` shows: a site's server key, a destination's secret) stands for the stored one. For
 * `destinations`, the value as stored: its secrets sealed.
 */
export async function validSection(section: SectionName, body: unknown): Promise<Config[SectionName]> {
  configs.invalidate();
  const current = await configs.get();
  const parsed = SECTION_SCHEMAS[section].safeParse(restoreMasked(section, body, current));
  if (!parsed.success) throw invalidInput(parsed.error);
  return section === 'destinations' ? sealed(parsed.data as DestinationsConfig) : (parsed.data as Config[SectionName]);
}

/** A body with the masked secrets GET showed put back to the stored ones. */
function restoreMasked(section: SectionName, body: unknown, current: Config): unknown {
  if (section === 'sites') return restoreMaskedKeys(body, current.sites);
  if (section === 'destinations') return restoreMaskedSecrets(body, current.destinations);
  return body;
}

/** The destinations as stored: secrets sealed; a sealed value this deployment did not seal is refused. */
async function sealed(section: DestinationsConfig): Promise<DestinationsConfig> {
  const { sealed, foreign } = sealDestinationSecrets(section, new SecretBox(await hashSecret()));
  if (foreign.length) {
    const details = foreign.map((f) => ({
      path: ['destinations', f.index, ...f.path].join('.'),
      message: 'an encrypted value this deployment did not make: send the secret itself, or the masked value GET shows',
    }));
    throw badRequest('invalid_request', `${details[0]?.path}: ${details[0]?.message}`, details);
  }
  return sealed;
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

/** A section as the API shows it: server write keys and destination secrets are write-only, masked. */
export function shown(section: SectionName, value: Config[SectionName]): unknown {
  if (section === 'sites') return maskServerKeys(value as SitesConfig);
  if (section === 'destinations') return maskDestinationSecrets(value as DestinationsConfig);
  return value;
}

import { defaultSection, SECTION_NAMES, SECTION_SCHEMAS } from '@intent/config';
import { z } from 'zod';
import { defineEntity } from './entity';
import { configKey, configRevisionKey } from './keys';

/** Who made a revision: the API key's id and name (absent for a write made without the API, e.g. a test seeding the store). */
export const RevisionAuthor = z.object({ keyId: z.string(), name: z.string().optional() });
export type RevisionAuthor = z.infer<typeof RevisionAuthor>;

/**
 * One configuration section (`CONFIG` / `<section>`): its value as last stored, `rev` (bumped by
 * every replacement: the section's revision), when and by whom, and the revision a restore
 * applied again. The value was validated by its section's schema on the way in; it is kept as
 * stored here and parsed by that schema where it is used (`storedSections`).
 */
export const configSectionEntity = defineEntity({
  name: 'config section',
  key: configKey,
  attributes: z.object({
    pk: z.string(),
    sk: z.enum(SECTION_NAMES),
    value: z.unknown(),
    rev: z.number().optional(),
    updatedAt: z.string(),
    updatedBy: RevisionAuthor.optional(),
    restoredFrom: z.number().optional(),
  }),
  indexes: [],
});

/**
 * One revision of a section (`CFGREV#<section>` / the revision as 12 digits): its value as
 * stored then, when, by whom, and the revision it restored.
 */
export const configRevisionEntity = defineEntity({
  name: 'config revision',
  key: (p: { section: string; revision: number }) => configRevisionKey(p.section, p.revision),
  attributes: z.object({
    section: z.enum(SECTION_NAMES),
    revision: z.number(),
    at: z.string(),
    by: RevisionAuthor.optional(),
    restoredFrom: z.number().optional(),
    value: z.unknown(),
  }),
  indexes: [],
});

/** What listing a section's revisions reads of each (a projection: never the values). */
export const configRevisionSummaryView = defineEntity({
  name: 'config revision (summary)',
  key: configRevisionEntity.key,
  attributes: configRevisionEntity.attributes.pick({ revision: true, at: true, by: true, restoredFrom: true }),
  indexes: [],
});

/**
 * Every section's stored value by its section's schema (which fills defaults added since it was
 * stored); a section never stored is its default, as it is (not parsed again). A section added to
 * the configuration and not here fails to compile where this is read as a `Config`.
 */
export const StoredSections = z.object({
  sites: SECTION_SCHEMAS.sites.default(() => defaultSection('sites')),
  topics: SECTION_SCHEMAS.topics.default(() => defaultSection('topics')),
  signals: SECTION_SCHEMAS.signals.default(() => defaultSection('signals')),
  icp: SECTION_SCHEMAS.icp.default(() => defaultSection('icp')),
  pods: SECTION_SCHEMAS.pods.default(() => defaultSection('pods')),
  audiences: SECTION_SCHEMAS.audiences.default(() => defaultSection('audiences')),
  sla: SECTION_SCHEMAS.sla.default(() => defaultSection('sla')),
  destinations: SECTION_SCHEMAS.destinations.default(() => defaultSection('destinations')),
});

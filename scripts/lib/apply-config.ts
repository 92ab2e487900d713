import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECTION_NAMES, SECTION_SCHEMAS, type SectionName } from '@intent/config';
import { fieldIssues } from '@intent/http';
import { z } from 'zod';
import { isListSection, mergeSection, replaceSection, type SectionPlan } from './merge-config';
import { safeParseShown } from './shown-values';
import type { ConfigPutAnswer } from './stack-client';

/**
 * Configuration files, as `npm run config:apply` and `npm run demo` apply them: a JSON object of
 * section name -> the section's body (what `PUT /v1/config/{section}` takes). `_comment` keys,
 * at any depth, are notes for people and are dropped before anything is checked or sent.
 */
const ConfigFileSchema = z.partialRecord(z.enum(SECTION_NAMES as [SectionName, ...SectionName[]]), z.unknown());
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

/** Reads and checks a configuration file (see `checkConfig`). */
export function readConfigFile(path: string): ConfigFile {
  if (!existsSync(path)) throw new Error(`${path}: no such file`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
  return checkConfig(withoutComments(json), path);
}

/**
 * Checks every section against its schema before anything is sent, so a file with a mistake
 * changes nothing; the error names each field as `section.path`.
 */
export function checkConfig(value: unknown, where: string): ConfigFile {
  const file = ConfigFileSchema.safeParse(value);
  if (!file.success) {
    const unknown =
      value && typeof value === 'object' ? Object.keys(value).filter((k) => !SECTION_NAMES.includes(k as SectionName)) : [];
    throw new Error(
      `${where}: the top-level keys must be configuration sections (${SECTION_NAMES.join(', ')})${unknown.length ? `, not ${unknown.join(', ')}` : ''}`,
    );
  }
  const problems: string[] = [];
  for (const section of SECTION_NAMES) {
    if (file.data[section] === undefined) continue;
    const parsed = safeParseShown(SECTION_SCHEMAS[section], file.data[section]);
    if (!parsed.success) problems.push(...fieldIssues(parsed.error, [section]).map((i) => `${i.path}: ${i.message}`));
  }
  if (problems.length) throw new Error(`${where} is not valid configuration:\n  ${problems.join('\n  ')}`);
  return file.data;
}

function withoutComments(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutComments);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== '_comment')
        .map(([k, v]) => [k, withoutComments(v)]),
    );
  return value;
}

/** The configuration routes of a running stack (`StackClient`). */
export interface ConfigApi {
  getConfig(section: string): Promise<unknown>;
  putConfig(section: string, value: unknown): Promise<ConfigPutAnswer>;
}

export interface ApplyOptions {
  /** PUT each section exactly as given instead of merging it (what restoring a backup needs). */
  replace?: boolean;
  /** Where the previous values of the sections it changes are written, as a file `--replace` puts back. */
  backupDir: string;
  log: (line: string) => void;
}

export interface ApplyResult {
  plans: SectionPlan[];
  /** Pods that have no SQS queue in this deployment yet (AWS: until a deploy names them). */
  needsDeploy: string[];
  /** The file holding what the changed sections were before, if any changed. */
  backupFile?: string;
}

/**
 * Applies a configuration file to a running stack, section by section in the contract's order:
 * reads each section, merges the file's into it (`mergeSection`; with `replace`, takes the file's
 * as it is), and PUTs what changed. Says what it added, replaced and kept, loudly when a whole
 * section is replaced, and writes the previous values to a backup file first.
 */
export async function applyConfig(api: ConfigApi, file: ConfigFile, options: ApplyOptions): Promise<ApplyResult> {
  const { log } = options;
  const sections = SECTION_NAMES.filter((s) => file[s] !== undefined);
  const current = new Map(await Promise.all(sections.map(async (s) => [s, await api.getConfig(s)] as const)));
  const plans = sections.map((s) => (options.replace ? replaceSection : mergeSection)(s, current.get(s), file[s]));

  const changed = plans.filter((p) => p.changed);
  let backupFile: string | undefined;
  // Written and named before the first PUT, so a change that fails half-way can still be undone.
  if (changed.length) {
    backupFile = writeBackup(options.backupDir, Object.fromEntries(changed.map((p) => [p.section, current.get(p.section)])));
    log(
      `the previous values of ${changed.map((p) => p.section).join(', ')} are in ${backupFile}; ` +
        `put them back with: npm run config:apply -- --replace ${backupFile}`,
    );
  }
  let needsDeploy: string[] = [];
  for (const plan of plans) {
    if (!plan.changed) {
      log(`${plan.section}: unchanged`);
      continue;
    }
    const answer = await api.putConfig(plan.section, plan.value);
    const line = `${plan.section}: ${describePlan(plan)} (revision ${answer.revision})`;
    // Merging cannot keep anything of a one-object section: say so loudly.
    log(plan.replacesWhole && !options.replace ? `warning: ${line}` : line);
    for (const warning of plan.warnings) log(`warning: ${warning}`);
    if (answer.needsDeploy) needsDeploy = answer.needsDeploy;
  }
  if (needsDeploy.length) {
    const pods = (SECTION_SCHEMAS.pods.parse(await api.getConfig('pods')).pods as { id: string }[]).map((p) => p.id);
    log(
      `warning: pods ${needsDeploy.join(', ')} have no SQS queue in this deployment yet, so integrations get none of their messages ` +
        `(GET /v1/pods/{id}/queue serves them meanwhile): deploy with npx cdk deploy -c pods='${JSON.stringify(pods)}'`,
    );
  }
  return { plans, needsDeploy, backupFile };
}

function describePlan(plan: SectionPlan): string {
  if (plan.replacesWhole)
    return isListSection(plan.section)
      ? 'replaced the whole section'
      : 'replaced the whole section (one object: nothing to add beside)';
  const parts = [
    ['added', plan.added],
    ['replaced', plan.replaced],
    ['unchanged', plan.unchanged],
    ['kept', plan.kept],
  ] as const;
  return parts
    .filter(([, ids]) => ids.length)
    .map(([what, ids]) => `${what} ${ids.join(', ')}`)
    .join('; ');
}

function writeBackup(dir: string, sections: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const at = new Date().toISOString();
  const file = join(dir, `config-backup-${at.replace(/[:.]/g, '-')}.json`);
  const _comment = `The configuration sections as they were on ${at}, before a config:apply or demo changed them; npm run config:apply -- --replace <this file> puts them back.`;
  writeFileSync(file, `${JSON.stringify({ _comment, ...sections }, null, 2)}\n`);
  return file;
}

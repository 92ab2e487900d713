import { Firmographics } from '@intent/fit';
import type { AccountRecord } from '@intent/qualify';
import { syncMembership } from './audiences';
import { settleLimited } from './concurrency';
import type { PodMessage } from './pod-messages';
import { previewScore, rescoreAccount } from './rescore';
import { sameJson } from './same-json';
import type { ServiceDeps } from './service-deps';

export interface RowRejection {
  index: number;
  code: string;
  message: string;
}

export interface UpsertResult {
  upserted: number;
  rejected: RowRejection[];
  /** How many already-scored accounts were re-scored because their firmographics changed. */
  rescored: number;
  /** Fields (CSV columns) the rows gave that are no firmographic, so were left out: a misspelt column shows here. */
  ignoredFields: string[];
  messages: PodMessage[];
}

/** Ignored field names an answer lists at most: a wide CRM export may carry hundreds. */
const MAX_IGNORED_FIELDS = 20;
const FIRMOGRAPHIC_FIELDS = new Set(Object.keys(Firmographics.shape));

/** Rows per request: about what one API invocation writes and re-scores well within its timeout. */
export const MAX_UPSERT_ROWS = 5000;
/** DynamoDB calls in flight at once: enough to hide latency, few enough not to throttle. */
const CONCURRENCY = 8;

/**
 * Validates each row on its own (a bad row is reported by its 0-based index, the others go
 * through), then stores each account's firmographics with one write and re-scores the
 * accounts that already had a score and whose firmographics changed. An account never seen
 * before is created (cold, unscored); it is scored when intent arrives. Pod messages are
 * returned for the caller to publish.
 */
export async function upsertAccounts(rows: unknown[], deps: ServiceDeps): Promise<UpsertResult> {
  const { valid, rejected } = parseRows(rows);
  const ignoredFields = fieldsIgnored(rows);
  const stored = await settleLimited(valid, CONCURRENCY, (row) => deps.store.firmographics.upsert(row.firmographics));
  const changed: Firmographics[] = [];
  const toRescore: string[] = [];
  let upserted = 0;
  stored.forEach((result, i) => {
    const { index, firmographics: f } = valid[i] as ValidRow;
    if (result.status === 'rejected') {
      rejected.push({ index, code: 'write_failed', message: 'the account could not be stored; send the row again' });
      return;
    }
    upserted++;
    const before = result.value;
    if (before?.firmographics && sameJson(before.firmographics, f)) return;
    changed.push(f);
    if (before?.score) toRescore.push(f.domain);
  });
  await deps.store.firmographics.list(changed);
  const rescored = await settleLimited(toRescore, CONCURRENCY, async (d) => {
    const result = await rescoreAccount(d, deps);
    // A new name, industry or country moves no score but shows in audience exports.
    if (result.outcome === 'unchanged') await refreshMemberViews(d, deps);
    return result;
  });
  // A failed re-score leaves the stored firmographics in place; the next event or the hourly
  // decay walk re-scores the account, so it is not reported as a rejected row.
  const messages = rescored.flatMap((r) => (r.status === 'fulfilled' ? r.value.messages : []));
  rejected.sort((a, b) => a.index - b.index);
  return {
    upserted,
    rejected,
    rescored: rescored.filter((r) => r.status === 'fulfilled' && r.value.outcome === 'saved').length,
    ignoredFields,
    messages,
  };
}

/** The field names of the rows that are no firmographic, in order of first use, up to MAX_IGNORED_FIELDS. */
function fieldsIgnored(rows: unknown[]): string[] {
  const ignored = new Set<string>();
  for (const row of rows) {
    if (!row || typeof row !== 'object' || row instanceof Error) continue;
    for (const field of Object.keys(row)) {
      if (FIRMOGRAPHIC_FIELDS.has(field) || ignored.has(field)) continue;
      ignored.add(field);
      if (ignored.size === MAX_IGNORED_FIELDS) return [...ignored];
    }
  }
  return [...ignored];
}

async function refreshMemberViews(domain: string, deps: ServiceDeps): Promise<void> {
  const record = await deps.store.accounts.get(domain, true);
  if (!record?.score?.audiences?.length) return;
  const { behind } = await syncMembership(record, record.score, record.version, deps);
  // Newer definitions are stored than this request holds: their re-materialisation covers the account.
  if (behind)
    await syncMembership(record, record.score, record.version, { ...deps, config: await deps.store.config.getAll(true) });
}

type ValidRow = { index: number; firmographics: Firmographics };

/** Each row through the Firmographics schema; the first row for a domain wins, later ones are rejected. */
function parseRows(rows: unknown[]): { valid: ValidRow[]; rejected: RowRejection[] } {
  const valid: ValidRow[] = [];
  const rejected: RowRejection[] = [];
  const seen = new Map<string, number>();
  rows.forEach((row, index) => {
    // A row the upload could not read (a CSV row of another length than its header).
    if (row instanceof Error) {
      rejected.push({ index, code: 'invalid_row', message: row.message });
      return;
    }
    const parsed = Firmographics.safeParse(row);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue?.path.map(String).join('.') || '(row)';
      rejected.push({
        index,
        code: path === 'domain' ? 'invalid_domain' : path === '(row)' ? 'invalid_row' : 'invalid_field',
        message: `${path}: ${issue?.message ?? 'invalid'}`,
      });
      return;
    }
    const first = seen.get(parsed.data.domain);
    if (first !== undefined) {
      rejected.push({ index, code: 'duplicate_domain', message: `domain: ${parsed.data.domain} is already in row ${first}` });
      return;
    }
    seen.set(parsed.data.domain, index);
    valid.push({ index, firmographics: parsed.data });
  });
  return { valid, rejected };
}

/**
 * The account as a person should see it: its saved score, or for an account that has
 * firmographics but was never scored, the score it would get now (fit, pod, cold intent).
 */
export async function describeAccount(record: AccountRecord, deps: ServiceDeps): Promise<AccountRecord> {
  if (record.score) return record;
  return { ...record, score: await previewScore(record, deps) };
}

import { createHash } from 'node:crypto';
import { type Config, SECTION_SCHEMAS, type SectionName } from '@intent/config';
import { badRequest, type HttpRequest, json, jsonBody, notFound, parseWith, type Route, requireScope } from '@intent/http';
import { DAY_MS } from '@intent/intent';
import {
  backtestCandidate,
  boundedPreview,
  PREVIEW_SHARD_COUNT,
  type PreviewPosition,
  previewConfigChange,
} from '@intent/pipeline';
import { z } from 'zod';
import { CALIBRATION_DAYS } from './calibration';
import { applySection, sectionOf, shown, validSection } from './config';
import { pageTokens, principalOf, store } from './deps';
import { invalidCursor } from './page-tokens';

/** Revisions listed per answer: `?limit=` up to this, 25 unless given. */
const MAX_REVISIONS_LISTED = 100;
/** Accounts one preview request evaluates: `?limit=` up to this, 1,000 unless given. */
const MAX_PREVIEW_ACCOUNTS = 5_000;
const DEFAULT_PREVIEW_ACCOUNTS = 1_000;
/** Time a preview request starts accounts in: well inside API Gateway's 29 s, with room to finish those begun. */
const PREVIEW_TIME_MS = 20_000;

/** The sections whose candidates the calibration backtest judges: those that decide which accounts are pushed. */
const BACKTESTED: readonly SectionName[] = ['signals', 'icp'];

/** A revision number: what the history keys hold (12 digits). */
const RevisionNumber = z.coerce.number().int().min(1).max(999_999_999_999);
/** A revision as a path names it; the local stack's pod-queue hook reads the same form. */
const REVISION_IN_PATH = /^[1-9]\d{0,11}$/;
const RevisionsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_REVISIONS_LISTED).default(25),
  /** The next page: revisions below this one (what the `Link` header's next URL carries). */
  before: RevisionNumber.optional(),
});
const PreviewQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PREVIEW_ACCOUNTS).default(DEFAULT_PREVIEW_ACCOUNTS),
  cursor: z.string().max(2_000).optional(),
});
/** A preview cursor's payload: the section and candidate it belongs to (a hash), and where the walk goes on. */
const PreviewCursor = z.object({
  s: z.string(),
  h: z.string(),
  i: z
    .number()
    .int()
    .min(0)
    .max(PREVIEW_SHARD_COUNT - 1),
  p: z.record(z.string(), z.string()).optional(),
});

export const configHistoryRoutes: Record<string, Route> = {
  /** The section's revisions, newest first, without their values; `Link: <...>; rel="next"` when there are more. */
  'GET /v1/config/{section}/revisions': async (req) => {
    requireScope(await principalOf(req), 'admin', 'marketing');
    const section = sectionOf(req.params.section);
    const { limit, before } = parseWith(RevisionsQuery, req.query);
    const listed = await store.config.revisions(section, limit, before);
    const last = listed.at(-1);
    const more = listed.length === limit && last !== undefined && last.revision > 1;
    const next = `</v1/config/${section}/revisions?limit=${limit}&before=${last?.revision}>; rel="next"`;
    return json(200, listed, more ? { link: next } : undefined);
  },
  /** One revision with the section's value as it would be restored (server write keys masked). */
  'GET /v1/config/{section}/revisions/{n}': async (req) => {
    requireScope(await principalOf(req), 'admin', 'marketing');
    const section = sectionOf(req.params.section);
    const { value, ...revision } = await revisionOf(req, section);
    const parsed = SECTION_SCHEMAS[section].safeParse(value);
    // A value stored under older rules that today's no longer accept: restoring it would answer 400.
    if (!parsed.success) return json(200, { section, ...revision, restorable: false, problems: issuesOf(parsed.error) });
    return json(200, { section, ...revision, restorable: true, value: shown(section, parsed.data as Config[SectionName]) });
  },
  /** Applies the revision's value again, as a new revision, exactly as a `PUT` of it would. */
  'POST /v1/config/{section}/revisions/{n}/restore': async (req) => {
    const principal = await principalOf(req);
    requireScope(principal, 'admin');
    const section = sectionOf(req.params.section);
    const revision = await revisionOf(req, section);
    return applySection(principal, section, revision.value, revision.revision);
  },
  /**
   * Which accounts a candidate section would move in and out of each pod's queue and each
   * audience, storing nothing; bounded per request (`scanned`, `truncated`, `nextCursor`).
   */
  'POST /v1/config/{section}/preview': async (req) => {
    requireScope(await principalOf(req), 'admin');
    const section = sectionOf(req.params.section);
    const value = await validSection(section, jsonBody(req));
    const { limit, cursor } = parseWith(PreviewQuery, req.query);
    const hash = createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 22);
    const tokens = await pageTokens();
    const from = cursor === undefined ? undefined : openCursor(tokens.open(cursor), section, hash);
    const current = await store.config.getAll(true);
    const candidate = { ...current, [section]: value } as Config;
    const now = new Date();
    const bounds = { deadline: now.getTime() + PREVIEW_TIME_MS, maxAccounts: limit };
    // The first page of a `signals` or `icp` preview also says how the candidate would have done
    // on the calibration window's decided pushes (read beside the walk, within its time).
    const backtest =
      from === undefined && BACKTESTED.includes(section)
        ? backtestCandidate(store, current, candidate, new Date(now.getTime() - CALIBRATION_DAYS * DAY_MS), now)
        : undefined;
    const [changes, tested] = await Promise.all([previewConfigChange(store, current, candidate, now, from, bounds), backtest]);
    const next = changes.next;
    return json(200, {
      section,
      ...boundedPreview(changes),
      truncated: next !== undefined,
      ...(next ? { nextCursor: tokens.sign(encode({ s: section, h: hash, i: next.shard, p: next.pos })) } : {}),
      ...(tested && { backtest: tested }),
    });
  },
};

/** The revision the path names: 400 for a number that cannot be one, 404 for one never made. */
async function revisionOf(req: HttpRequest, section: SectionName) {
  const given = req.params.n ?? '';
  if (!REVISION_IN_PATH.test(given)) {
    const message = 'a revision is a whole number from 1, written without leading zeros (12 digits at most)';
    throw badRequest('invalid_request', `n: ${message}`, [{ path: 'n', message }]);
  }
  const n = Number(given);
  const revision = await store.config.revision(section, n);
  if (!revision) throw notFound(`section ${section} has no revision ${n}`);
  return revision;
}

/** What is wrong with a stored value, by field path (never the values themselves: a site's may hold a server key). */
const issuesOf = (error: z.ZodError) =>
  error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message }));

const encode = (cursor: z.infer<typeof PreviewCursor>) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

/** Where a preview goes on, from a cursor this API signed for this section and this very candidate. */
function openCursor(payload: string | undefined, section: SectionName, hash: string): PreviewPosition {
  let parsed: z.infer<typeof PreviewCursor> | undefined;
  try {
    parsed =
      payload === undefined ? undefined : PreviewCursor.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    // not one we gave out
  }
  if (!parsed) throw invalidCursor('cursor', 'not a cursor this API gave out for a preview');
  if (parsed.s !== section || parsed.h !== hash) {
    throw invalidCursor('cursor', 'this cursor belongs to a preview of another candidate: send the same body again');
  }
  return { shard: parsed.i, ...(parsed.p ? { pos: parsed.p } : {}) };
}

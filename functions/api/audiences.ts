import { type Audience, type ExportFormat, linkedinWarning } from '@intent/audiences';
import { badRequest, type HttpRequest, json, notFound, type Route, requireScope } from '@intent/http';
import { audienceDelta, exportPage, membersPage } from '@intent/pipeline';
import { configs, pageMaxBytes, pageTokens, principalOf, store } from './deps';
import { invalidCursor, type Position } from './page-tokens';

/** Members per page of a full listing at most (fewer when the byte budget is reached first). */
const PAGE_SIZE = 1000;
/** Room kept in a page's budget for what surrounds the entries (cursor, page token). */
const ENVELOPE_BYTES = 2048;

async function audienceOf(req: HttpRequest): Promise<Audience> {
  requireScope(await principalOf(req), 'marketing');
  configs.invalidate();
  const audience = (await configs.get()).audiences.audiences.find((a) => a.id === req.params.id);
  if (!audience) throw notFound(`no audience "${req.params.id}"`);
  return audience;
}

const beyondLog = (path: 'cursor' | 'page') =>
  invalidCursor(path, "beyond the end of this audience's change log; list the members again without it");

const budget = () => Math.max(1, pageMaxBytes - ENVELOPE_BYTES);

export const audienceRoutes: Record<string, Route> = {
  'GET /v1/audiences': async (req) => {
    requireScope(await principalOf(req), 'marketing');
    configs.invalidate();
    const { audiences } = (await configs.get()).audiences;
    const sizes = await Promise.all(audiences.map((a) => store.audiences.meta(a.id)));
    return json(200, {
      audiences: audiences.map((a, i) => ({ id: a.id, name: a.name, filter: a.filter, size: sizes[i]?.size ?? 0 })),
    });
  },
  /**
   * Without a cursor the full membership; with one, the net change since it. Both in pages
   * under the byte budget: `nextPage` when more follows, passed back as `?page=` (with or
   * without the cursor).
   */
  'GET /v1/audiences/{id}/members': async (req) => {
    const audience = await audienceOf(req);
    const a = audience.id;
    const tokens = await pageTokens();
    const page = req.query.page === undefined ? undefined : tokens.decode(req.query.page, a, 'page');
    if (page?.m === 'export') throw invalidCursor('page', 'a page of an export, not of this listing');
    const cursor = req.query.cursor === undefined ? undefined : tokens.decode(req.query.cursor, a, 'cursor');
    // The log position is read before the members: a change numbered after it is in the next delta.
    const { seq } = await store.audiences.meta(a);
    // Beyond the end of the log: forged, or of an audience since re-created. An empty delta would
    // tell a connector nothing changed while it skips every change up to that number.
    if (page && page.s > seq) throw beyondLog('page');
    if (cursor && cursor.s > seq) throw beyondLog('cursor');
    if (page?.m === 'delta' || (!page && cursor)) {
      const from = page?.s ?? (cursor as Position).s;
      const delta = await audienceDelta(store, a, from, new Date(), budget());
      return json(200, {
        added: delta.added,
        removed: delta.removed,
        cursor: tokens.encode({ a, s: delta.seq }),
        ...(delta.more ? { nextPage: tokens.encode({ a, s: delta.seq, m: 'delta' }) } : {}),
      });
    }
    const s = page?.s ?? seq;
    const listed = await membersPage(store, a, page?.k, { maxBytes: budget(), maxItems: PAGE_SIZE });
    return json(200, {
      members: listed.entries,
      cursor: tokens.encode({ a, s }),
      ...(listed.last ? { nextPage: tokens.encode({ a, s, k: listed.last, m: 'full' }) } : {}),
    });
  },
  /**
   * One page of the CSV (header row on every page, so each is a file LinkedIn takes); when
   * more follows, `x-intent-next-page` holds the token for `?page=` and `link` the next URL.
   */
  'GET /v1/audiences/{id}/export.csv': async (req) => {
    const audience = await audienceOf(req);
    const format = (req.query.format ?? 'linkedin') as ExportFormat;
    if (format !== 'linkedin' && format !== 'generic') {
      throw badRequest('invalid_request', 'format: linkedin or generic', [{ path: 'format', message: 'linkedin or generic' }]);
    }
    const tokens = await pageTokens();
    const page = tokens.pageOf(req, audience.id, 'export');
    const [{ size }, csv] = await Promise.all([
      store.audiences.meta(audience.id),
      exportPage(store, audience.id, format, page?.k, budget()),
    ]);
    const warning = format === 'linkedin' ? linkedinWarning(size) : undefined;
    const next = csv.last ? tokens.encode({ a: audience.id, s: 0, k: csv.last, m: 'export' }) : undefined;
    const path = `/v1/audiences/${encodeURIComponent(audience.id)}/export.csv`;
    return {
      status: 200,
      text: csv.csv,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${audience.id}-${format}${page ? `-${page.k}` : ''}.csv"`,
        ...(warning ? { 'x-intent-warning': warning } : {}),
        ...(next ? { 'x-intent-next-page': next, link: `<${path}?format=${format}&page=${next}>; rel="next"` } : {}),
      },
    };
  },
};

import { type Audience, type ExportFormat, exportRows, linkedinWarning } from '@intent/audiences';
import { badRequest, type HttpRequest, json, notFound, type Route, requireScope } from '@intent/http';
import { audienceDelta } from '@intent/pipeline';
import { stringify } from 'csv-stringify/sync';
import { configs, principalOf, store } from './deps';

/** Members per page of a full listing. */
const PAGE_SIZE = 1000;

/** Cursors and page tokens are opaque to callers: base64url JSON of the audience and log position. */
interface Position {
  a: string;
  s: number;
  /** Full listing only: the last domain of the page before. */
  k?: string;
}
const encode = (p: Position) => Buffer.from(JSON.stringify(p)).toString('base64url');

function decode(token: string, audienceId: string, path: string): Position {
  try {
    const p = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Position;
    if (p && p.a === audienceId && Number.isSafeInteger(p.s) && p.s >= 0 && (p.k === undefined || typeof p.k === 'string'))
      return p;
  } catch {
    // fall through: not one we gave out
  }
  throw badRequest('invalid_cursor', `${path}: not a ${path} this API gave out for audience ${audienceId}`, [
    { path, message: 'not a value this API gave out' },
  ]);
}

async function audienceOf(req: HttpRequest): Promise<Audience> {
  requireScope(await principalOf(req), 'marketing');
  configs.invalidate();
  const audience = (await configs.get()).audiences.audiences.find((a) => a.id === req.params.id);
  if (!audience) throw notFound(`no audience "${req.params.id}"`);
  return audience;
}

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
  /** Without a cursor the full membership (paged); with one, the net change since it. */
  'GET /v1/audiences/{id}/members': async (req) => {
    const audience = await audienceOf(req);
    const { cursor, page } = req.query;
    if (cursor !== undefined) {
      const from = decode(cursor, audience.id, 'cursor');
      const delta = await audienceDelta(store, audience.id, from.s, new Date());
      return json(200, { added: delta.added, removed: delta.removed, cursor: encode({ a: audience.id, s: delta.seq }) });
    }
    // The log position is read before the members: a change numbered after it is in the next delta.
    const position =
      page !== undefined
        ? decode(page, audience.id, 'page')
        : { a: audience.id, s: (await store.audiences.meta(audience.id)).seq };
    const { members, last } = await store.audiences.membersPage(audience.id, PAGE_SIZE, position.k);
    return json(200, {
      members,
      cursor: encode({ a: audience.id, s: position.s }),
      ...(last ? { nextPage: encode({ a: audience.id, s: position.s, k: last }) } : {}),
    });
  },
  'GET /v1/audiences/{id}/export.csv': async (req) => {
    const audience = await audienceOf(req);
    const format = (req.query.format ?? 'linkedin') as ExportFormat;
    if (format !== 'linkedin' && format !== 'generic') {
      throw badRequest('invalid_request', 'format: linkedin or generic', [{ path: 'format', message: 'linkedin or generic' }]);
    }
    const members = await store.audiences.allMembers(audience.id);
    const warning = format === 'linkedin' ? linkedinWarning(members.length) : undefined;
    return {
      status: 200,
      text: stringify(exportRows(members, format), { record_delimiter: 'windows' }),
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${audience.id}-${format}.csv"`,
        ...(warning ? { 'x-intent-warning': warning } : {}),
      },
    };
  },
};

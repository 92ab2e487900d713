import { parse } from 'csv-parse/sync';
import { badRequest, HttpError } from './errors';
import type { HttpRequest } from './request';
import { jsonBody } from './request';

/**
 * The rows of a bulk upload: a JSON body's `key` array, or a `text/csv` body with a header row
 * (each data row an object keyed by the header). Row indexes are 0-based either way.
 */
export function bulkRows(req: HttpRequest, key: string): unknown[] {
  const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim().toLowerCase();
  if (type === 'text/csv') {
    try {
      return parse(req.body, {
        columns: (header: string[]) => header.map((h) => h.trim()),
        skip_empty_lines: true,
        trim: true,
        bom: true,
      });
    } catch (err) {
      throw badRequest('invalid_csv', `the CSV body could not be read: ${(err as Error).message}`);
    }
  }
  if (type !== 'application/json') throw new HttpError(415, 'unsupported_content_type', 'send application/json or text/csv');
  const body = jsonBody(req) as Record<string, unknown> | null;
  const rows = body && typeof body === 'object' ? body[key] : undefined;
  if (!Array.isArray(rows))
    throw badRequest('invalid_request', `${key}: an array is required`, [{ path: key, message: 'an array is required' }]);
  return rows;
}

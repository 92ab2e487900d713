import { parse } from 'csv-parse/sync';
import { badRequest, HttpError } from './errors';
import type { HttpRequest } from './request';
import { jsonBody } from './request';

/**
 * A CSV row that could not be read as the header names it (more or fewer fields): it stands in
 * its row's place, so the upload's validation rejects that row by its index and keeps the others.
 */
export class MalformedRow extends Error {}

/**
 * The rows of a bulk upload: a JSON body's `key` array, or a `text/csv` body with a header row
 * (each data row an object keyed by the header, or a `MalformedRow`). Row indexes are 0-based
 * either way.
 */
export function bulkRows(req: HttpRequest, key: string, requiredColumns: string[]): unknown[] {
  const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim().toLowerCase();
  if (type === 'text/csv') {
    let header: string[] = [];
    let rows: unknown[];
    try {
      rows = parse(req.body, {
        columns: (names: string[]) => {
          header = names.map((h) => h.trim());
          return header;
        },
        skip_empty_lines: true,
        trim: true,
        bom: true,
        // A row of another length than the header is that row's error, not the whole body's.
        relax_column_count: true,
        on_record: (record: unknown, context: { error?: Error }) =>
          context.error ? new MalformedRow(`the row could not be read: ${context.error.message}`) : record,
      });
    } catch (err) {
      throw badRequest('invalid_csv', `the CSV body could not be read: ${(err as Error).message}`);
    }
    // A file without its header row would have its first row taken as one, and that row lost.
    const missing = requiredColumns.filter((c) => !header.includes(c));
    if (missing.length)
      throw badRequest('invalid_csv', `the first row must be a header naming ${requiredColumns.join(', ')}`, [
        { path: 'header', message: `missing ${missing.join(', ')}` },
      ]);
    return rows;
  }
  if (type !== 'application/json') throw new HttpError(415, 'unsupported_content_type', 'send application/json or text/csv');
  const body = jsonBody(req) as Record<string, unknown> | null;
  const rows = body && typeof body === 'object' ? body[key] : undefined;
  if (!Array.isArray(rows))
    throw badRequest('invalid_request', `${key}: an array is required`, [{ path: key, message: 'an array is required' }]);
  return rows;
}

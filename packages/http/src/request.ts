import { gunzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { badRequest, invalidInput, tooLarge } from './errors';

/** An HTTP request as handlers see it: headers lower-cased, the body decoded and un-gzipped. */
export interface HttpRequest {
  routeKey: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  params: Record<string, string>;
  body: string;
  sourceIp: string;
}

/** Gzip bombs stop here: no decoded body may exceed this, whatever a route allows. */
const MAX_DECODED_BYTES = 1024 * 1024;

export function toRequest(event: APIGatewayProxyEventV2, routeKey = event.routeKey): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) query[k] = v;
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.pathParameters ?? {})) if (v !== undefined) params[k] = decodePathParameter(k, v);
  return {
    routeKey,
    method: event.requestContext.http.method,
    path: event.rawPath,
    headers,
    query,
    params,
    body: decodeBody(event, headers['content-encoding']),
    sourceIp: event.requestContext.http.sourceIp,
  };
}

/** A percent-encoded path segment, decoded; a malformed escape (`%E0%A4%A`) is bad input, not a 500. */
function decodePathParameter(name: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw badRequest('invalid_request', `${name}: not a valid percent-encoded path segment`, [
      { path: name, message: 'malformed percent-encoding' },
    ]);
  }
}

function decodeBody(event: APIGatewayProxyEventV2, encoding: string | undefined): string {
  if (!event.body) return '';
  let bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (encoding?.toLowerCase().includes('gzip')) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_DECODED_BYTES });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw tooLarge('payload_too_large', 'the decompressed body is larger than 1 MiB');
      }
      throw badRequest('invalid_encoding', 'the body is not valid gzip');
    }
  }
  return bytes.toString('utf8');
}

/** Parses the body as JSON, answering 400 with a clear message when it is not. */
export function jsonBody(req: HttpRequest): unknown {
  if (!req.body.trim()) throw badRequest('invalid_json', 'the request body is empty; JSON was expected');
  try {
    return JSON.parse(req.body);
  } catch {
    throw badRequest('invalid_json', 'the request body is not valid JSON');
  }
}

/** Validates with a zod schema at the edge; failures become 400 with field paths. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidInput(result.error);
  return result.data;
}

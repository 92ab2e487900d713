import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { RouteDefinition } from '@intent/resources';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { timedInvocation } from './invocations';
import { lambdaContext } from './lambda-context';

export type HttpLambda = (event: APIGatewayProxyEventV2, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

/** API Gateway's own payload limit for HTTP APIs. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const TEXT_TYPES = /^(application\/(json|javascript|x-www-form-urlencoded|xml)|text\/)/i;

interface CompiledRoute {
  def: RouteDefinition;
  pattern: RegExp;
  params: string[];
}

/**
 * A stand-in for API Gateway v2 (HTTP API, payload format 2.0): matches the request against
 * the same ROUTES the stack declares and invokes the same handler module with the event API
 * Gateway would build. Bodies that are not text (or are gzip-encoded) arrive base64-encoded,
 * as in AWS; an answer with `isBase64Encoded` (a gzipped tracker.js) leaves as its decoded bytes.
 */
export function createGateway(routes: RouteDefinition[], handlers: Record<string, HttpLambda>): Server {
  const compiled = routes.map(compile);
  return createServer((req, res) => {
    serve(req, res, compiled, handlers).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal_error', message: String(err) } }));
    });
  });
}

async function serve(req: IncomingMessage, res: ServerResponse, routes: CompiledRoute[], handlers: Record<string, HttpLambda>) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  const match = findRoute(routes, method, url.pathname);
  const body = await readBody(req);
  if (body === 'too_large')
    return reply(res, 413, { error: { code: 'payload_too_large', message: 'the request exceeds 10 MB' } });
  if (!match) return reply(res, 404, { error: { code: 'not_found', message: `no route ${method} ${url.pathname}` } });

  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-proto'] = 'http';
  const binary = body.length > 0 && (!!headers['content-encoding'] || !TEXT_TYPES.test(headers['content-type'] ?? ''));
  const query = Object.fromEntries(url.searchParams);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: `${match.route.def.method} ${match.route.def.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(match.params).length ? match.params : undefined,
    body: body.length ? (binary ? body.toString('base64') : body.toString('utf8')) : undefined,
    isBase64Encoded: binary,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: `${match.route.def.method} ${match.route.def.path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
  const handler = handlers[match.route.def.function];
  if (!handler) throw new Error(`no handler loaded for ${match.route.def.function}`);
  const functionName = match.route.def.function;
  const result = await timedInvocation(functionName, () => handler(event, lambdaContext(functionName)));
  const out = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : Buffer.from(result.body ?? '', 'utf8');
  res.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>), 'content-length': out.length });
  res.end(out);
}

function compile(def: RouteDefinition): CompiledRoute {
  const params: string[] = [];
  // Braces are not escaped, so `{name}` placeholders survive escaping and become groups.
  const source = def.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { def, pattern: new RegExp(`^${source}$`), params };
}

function findRoute(routes: CompiledRoute[], method: string, path: string) {
  for (const route of routes) {
    if (route.def.method !== method) continue;
    const m = route.pattern.exec(path);
    if (m) return { route, params: Object.fromEntries(route.params.map((p, i) => [p, m[i + 1] ?? ''])) };
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_PAYLOAD_BYTES ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

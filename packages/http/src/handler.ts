import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { errorBody, HttpError } from './errors';
import { type HttpRequest, toRequest } from './request';

export interface HttpResponse {
  status: number;
  /** JSON body; ignored when `text` or `bytes` is given. */
  body?: unknown;
  text?: string;
  /** A binary body (e.g. compressed): API Gateway gets it base64-encoded and sends the bytes on. */
  bytes?: Buffer;
  headers?: Record<string, string>;
}

export type Route = (req: HttpRequest) => Promise<HttpResponse>;

/**
 * The thin adapter every HTTP function shares: a middy chain with the Powertools logger over a
 * table of routes keyed by API Gateway's `routeKey` ("POST /v1/keys"). This is the one place
 * where errors become HTTP answers; anything that is not an HttpError is a 500 and is logged.
 */
export function httpHandler(logger: Logger, routes: Record<string, Route>) {
  const handle = async (event: APIGatewayProxyEventV2, _context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    try {
      const key = routeKeyOf(event);
      const route = routes[key];
      if (!route) throw new HttpError(404, 'not_found', `no route ${key}`);
      return toResult(await route(toRequest(event, key)));
    } catch (err) {
      if (err instanceof HttpError) {
        return toResult({ status: err.status, body: errorBody(err), headers: err.headers });
      }
      logger.error('unhandled error', { error: err as Error, routeKey: routeKeyOf(event) });
      return toResult({
        status: 500,
        body: errorBody(new HttpError(500, 'internal_error', 'something went wrong on our side; it has been logged')),
      });
    }
  };
  return middy(handle).use(injectLambdaContext(logger));
}

/**
 * The route of a request: API Gateway's `routeKey`, or, from a Lambda function URL (whose
 * every request is `$default`), its method and path, which name a route of static paths as
 * the HTTP API would (the collector's routes have no `{param}`).
 */
function routeKeyOf(event: APIGatewayProxyEventV2): string {
  return event.routeKey === '$default' ? `${event.requestContext.http.method} ${event.rawPath}` : event.routeKey;
}

function toResult(res: HttpResponse): APIGatewayProxyStructuredResultV2 {
  if (res.bytes) {
    return { statusCode: res.status, headers: res.headers, body: res.bytes.toString('base64'), isBase64Encoded: true };
  }
  const isText = res.text !== undefined;
  // An answer without a body (a 304) has no type to declare.
  const hasBody = isText || res.body !== undefined;
  return {
    statusCode: res.status,
    headers: {
      ...(hasBody ? { 'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json' } : {}),
      ...res.headers,
    },
    body: isText ? res.text : res.body === undefined ? '' : JSON.stringify(res.body),
  };
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): HttpResponse => ({
  status,
  body,
  headers,
});

import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, startTestStack, stopTestStack, type TestStack } from './harness';

const ORIGIN = 'https://reader.example';
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';
/** A site whose key may send 50 events a second (100 a two-second window). */
const SITE = { id: 'url-site', name: 'URL site', writeKey: 'wk_url_site', allowedOrigins: [ORIGIN], rateLimit: 50 };

/** What a Lambda function URL hands the function: payload 2.0, every request under route `$default`. */
function urlEvent(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  const [rawPath = '/', rawQueryString = ''] = path.split('?');
  const query = Object.fromEntries(new URLSearchParams(rawQueryString));
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers: { host: 'abc123.lambda-url.us-east-1.on.aws', 'x-forwarded-proto': 'https', ...headers },
    queryStringParameters: Object.keys(query).length ? query : undefined,
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abc123',
      domainName: 'abc123.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: headers['user-agent'] ?? '' },
      requestId: `url-${Math.random()}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}

const context = {
  functionName: 'collector',
  awsRequestId: 'url-test',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;
const page = () => event({ type: 'page', anonymousId: 'url-reader', properties: { url: `${ORIGIN}/a`, path: '/a' } });

/**
 * The collector behind its Lambda function URL (the stack's default front door): the same
 * handler, given the URL's `$default` events, keeps every guarantee the HTTP API routes give.
 */
describe('collector behind a function URL', () => {
  let stack: TestStack;
  let invoke: (e: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
  beforeAll(async () => {
    stack = await startTestStack();
    const put = await stack.api('/v1/config/sites', {
      method: 'PUT',
      key: stack.secrets.adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sites: [SITE] }),
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const { handler } = await import('../../functions/collector/handler');
    invoke = async (e) => (await handler(e, context)) as APIGatewayProxyStructuredResultV2;
  });
  afterAll(() => stopTestStack(stack));

  it('answers preflights per site origin, itself', async () => {
    const ok = await invoke(urlEvent('OPTIONS', `/v1/collect?writeKey=${SITE.writeKey}`, undefined, { origin: ORIGIN }));
    expect(ok.statusCode).toBe(204);
    expect(ok.headers?.['access-control-allow-origin']).toBe(ORIGIN);
    const other = await invoke(
      urlEvent('OPTIONS', `/v1/collect?writeKey=${SITE.writeKey}`, undefined, { origin: 'https://evil.example' }),
    );
    expect(other.statusCode).toBe(403);
    expect(JSON.parse(other.body ?? '{}').error.code).toBe('origin_not_allowed');
  });

  it('accepts a browser batch on the same path, with the CORS header', async () => {
    const res = await invoke(
      urlEvent(
        'POST',
        '/v1/collect',
        { writeKey: SITE.writeKey, batch: [page(), page()] },
        {
          origin: ORIGIN,
          'user-agent': BROWSER,
          'content-type': 'text/plain',
        },
      ),
    );
    expect(res.statusCode).toBe(202);
    expect(JSON.parse(res.body ?? '{}')).toEqual({ accepted: 2, rejected: [] });
    expect(res.headers?.['access-control-allow-origin']).toBe(ORIGIN);
  });

  it('answers 429 with Retry-After over the site limit, readable by the browser', async () => {
    // Three full batches reach at most two windows of 100 events: one at least is refused.
    const post = () =>
      invoke(
        urlEvent(
          'POST',
          '/v1/collect',
          { writeKey: SITE.writeKey, batch: Array.from({ length: 100 }, page) },
          { origin: ORIGIN, 'user-agent': BROWSER },
        ),
      );
    const answers = [await post(), await post(), await post()];
    const refused = answers.find((r) => r.statusCode === 429);
    expect(refused, JSON.stringify(answers.map((r) => r.statusCode))).toBeDefined();
    expect(JSON.parse(refused?.body ?? '{}').error.code).toBe('rate_limited');
    expect(Number(refused?.headers?.['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused?.headers?.['access-control-allow-origin']).toBe(ORIGIN);
  });

  it('serves tracker.js pointing at the URL it was fetched from, and 404s in the contract shape elsewhere', async () => {
    const script = await invoke(urlEvent('GET', `/v1/tracker.js?writeKey=${SITE.writeKey}`));
    expect(script.statusCode).toBe(200);
    expect(script.body).toContain('https://abc123.lambda-url.us-east-1.on.aws');
    const missing = await invoke(urlEvent('GET', '/v1/accounts/acme.example'));
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body ?? '{}').error.code).toBe('not_found');
  });
});

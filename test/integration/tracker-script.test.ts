import { get, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './harness';

/**
 * `GET /v1/tracker.js` through the local API Gateway emulator, read with node:http so that the
 * bytes on the wire are seen as they are (fetch would decompress them out of sight).
 */

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  bytes: Buffer;
}

let stack: TestStack;

function fetchRaw(path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    get(`${stack.baseUrl}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
  stack?.cleanup();
});

describe('GET /v1/tracker.js through the gateway', () => {
  it('sends the script gzipped to a client that accepts gzip, with its length, ETag and cache headers', async () => {
    const res = await fetchRaw('/v1/tracker.js?writeKey=wk_dev', { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(Number(res.headers['content-length'])).toBe(res.bytes.length);
    const script = gunzipSync(res.bytes).toString('utf8');
    expect(script).toContain('"writeKey":"wk_dev"');
    expect(script).toContain(`"endpoint":"${stack.baseUrl}"`);
    expect(res.bytes.length).toBeLessThan(Buffer.byteLength(script) / 1.5);
    expect(res.headers).toMatchObject({
      'content-type': 'application/javascript; charset=utf-8',
      'cache-control': 'public, max-age=300, stale-while-revalidate=86400',
      vary: 'Accept-Encoding',
      etag: expect.stringMatching(/^W\/"[\w-]+"$/),
    });
  });

  it('sends the same script plain, under the same ETag, to a client that does not accept gzip', async () => {
    const gzipped = await fetchRaw('/v1/tracker.js?writeKey=wk_dev', { 'accept-encoding': 'gzip' });
    const plain = await fetchRaw('/v1/tracker.js?writeKey=wk_dev');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.bytes.toString('utf8')).toBe(gunzipSync(gzipped.bytes).toString('utf8'));
    expect(plain.headers.etag).toBe(gzipped.headers.etag);
  });

  it('answers 304 without a body to If-None-Match with the current ETag', async () => {
    const first = await fetchRaw('/v1/tracker.js?writeKey=wk_dev', { 'accept-encoding': 'gzip' });
    const etag = String(first.headers.etag);
    const again = await fetchRaw('/v1/tracker.js?writeKey=wk_dev', { 'accept-encoding': 'gzip', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);
    expect(again.headers).toMatchObject({ etag, vary: 'Accept-Encoding', 'cache-control': first.headers['cache-control'] });
    const stale = await fetchRaw('/v1/tracker.js?writeKey=wk_dev', { 'if-none-match': 'W/"an-older-script"' });
    expect(stale.status).toBe(200);
  });

  it('answers 400 missing_write_key without ?writeKey=, and 401 unknown_write_key to a key no site has', async () => {
    const missing = await fetchRaw('/v1/tracker.js');
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.bytes.toString('utf8'))).toEqual({
      error: {
        code: 'missing_write_key',
        message: expect.any(String),
        details: [{ path: 'writeKey', message: expect.any(String) }],
      },
    });
    const unknown = await fetchRaw('/v1/tracker.js?writeKey=wk_nobody');
    expect(unknown.status).toBe(401);
    expect(JSON.parse(unknown.bytes.toString('utf8')).error.code).toBe('unknown_write_key');
  });
});

import { gunzipSync } from 'node:zlib';
import { assetResponse, type HttpRequest } from '@intent/http';
import { describe, expect, it } from 'vitest';

const SCRIPT = `!function(){${'window.x=1;'.repeat(200)}}();\n`;
const OPTIONS = { contentType: 'application/javascript; charset=utf-8', cacheControl: 'public, max-age=300' };

const request = (headers: Record<string, string> = {}): HttpRequest => ({
  routeKey: 'GET /v1/tracker.js',
  method: 'GET',
  path: '/v1/tracker.js',
  headers,
  query: {},
  params: {},
  body: '',
  sourceIp: '198.51.100.7',
});

describe('assetResponse: a script as browsers and CDNs expect it', () => {
  it('gzips the body for a client that accepts gzip, with the type, ETag, cache and Vary headers', () => {
    const res = assetResponse(request({ 'accept-encoding': 'gzip, deflate, br, zstd' }), SCRIPT, OPTIONS);
    expect(res.status).toBe(200);
    expect(res.bytes && gunzipSync(res.bytes).toString('utf8')).toBe(SCRIPT);
    expect(res.bytes?.length).toBeLessThan(Buffer.byteLength(SCRIPT) / 4);
    expect(res.headers).toEqual({
      'content-type': OPTIONS.contentType,
      'content-encoding': 'gzip',
      etag: expect.stringMatching(/^W\/"[\w-]{27}"$/),
      'cache-control': OPTIONS.cacheControl,
      vary: 'Accept-Encoding',
    });
  });

  it('sends the plain text, under the same ETag, when the client does not accept gzip', () => {
    const gzipped = assetResponse(request({ 'accept-encoding': 'gzip' }), SCRIPT, OPTIONS);
    for (const acceptEncoding of [undefined, 'identity', 'gzip;q=0, identity', 'deflate', 'gzip;q=0.5, identity']) {
      const res = assetResponse(request(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}), SCRIPT, OPTIONS);
      expect(res.text, acceptEncoding).toBe(SCRIPT);
      expect(res.bytes).toBeUndefined();
      expect(res.headers?.['content-encoding']).toBeUndefined();
      expect(res.headers?.etag).toBe(gzipped.headers?.etag);
      expect(res.headers?.vary).toBe('Accept-Encoding');
    }
  });

  it('answers 304 with no body to an If-None-Match naming the ETag (weakly compared, in a list, or *)', () => {
    const etag = assetResponse(request(), SCRIPT, OPTIONS).headers?.etag ?? '';
    const strong = etag.replace(/^W\//, '');
    for (const ifNoneMatch of [etag, strong, `"other", ${etag}`, '*']) {
      const res = assetResponse(request({ 'if-none-match': ifNoneMatch, 'accept-encoding': 'gzip' }), SCRIPT, OPTIONS);
      expect(res, ifNoneMatch).toEqual({
        status: 304,
        headers: { etag, 'cache-control': OPTIONS.cacheControl, vary: 'Accept-Encoding' },
      });
    }
  });

  it('answers 200 with the body when the script changed since the ETag the client holds', () => {
    const old = assetResponse(request(), SCRIPT, OPTIONS).headers?.etag ?? '';
    const res = assetResponse(request({ 'if-none-match': old }), `${SCRIPT}// v2\n`, OPTIONS);
    expect(res.status).toBe(200);
    expect(res.text).toBe(`${SCRIPT}// v2\n`);
    expect(res.headers?.etag).not.toBe(old);
  });
});

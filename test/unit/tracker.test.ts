import { readFileSync } from 'node:fs';
import { runInNewContext, Script } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { renderTracker, STUB_SOURCE, snippetTag, TRACKER_SOURCE, type TrackerSettings } from '@intent/tracker';
import { describe, expect, test } from 'vitest';
import { trackerSizes } from '../../bench/tracker-sizes';
import { GENERATED_PATH, renderGenerated } from '../../packages/tracker/build';

const settings: TrackerSettings = {
  endpoint: 'http://127.0.0.1:3000',
  writeKey: 'wk_dev',
  consentRequired: false,
  engagedRead: { activeSeconds: 30, scrollPercent: 60 },
};

/** The settings literal renderTracker appended to TRACKER_SOURCE. */
function settingsPart(rendered: string): string {
  expect(rendered.startsWith(TRACKER_SOURCE)).toBe(true);
  const rest = rendered.slice(TRACKER_SOURCE.length);
  expect(rest).toMatch(/^\(.*\);\n$/s);
  return rest.slice(1, -3);
}

describe('renderTracker', () => {
  test('invokes the snippet with the settings as a JSON argument', () => {
    const out = renderTracker(settings);
    expect(JSON.parse(settingsPart(out))).toEqual(settings);
    expect(() => new Script(out)).not.toThrow();
  });

  test('escapes <, >, & and U+2028/2029 so the output can sit inside a <script> element', () => {
    const nasty = 'wk_</script><script>alert(1)</script><!-- & \u2028\u2029';
    const out = renderTracker({ ...settings, writeKey: nasty });
    const json = settingsPart(out);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(json).toContain('\\u003c/script\\u003e');
    expect(json).toContain('\\u0026');
    expect(json).toContain('\\u2028\\u2029');
    expect(JSON.parse(json).writeKey).toBe(nasty);
    expect(out.toLowerCase()).not.toContain('</script');
    expect(out).not.toContain('<!--');
    expect(() => new Script(out)).not.toThrow();
  });

  test('embeds only the snippet settings, and trims a trailing slash from the endpoint', () => {
    const site = {
      ...settings,
      endpoint: 'https://collect.example/',
      id: 'dw-weekly',
      allowedOrigins: ['https://dwweekly.example'],
      topicRules: [{ pathPrefix: '/secret-plans/', topics: ['x'] }],
    };
    const json = JSON.parse(settingsPart(renderTracker(site)));
    expect(json).toEqual({ ...settings, endpoint: 'https://collect.example' });
  });

  test('refuses an endpoint that is not an absolute http(s) URL', () => {
    expect(() => renderTracker({ ...settings, endpoint: '/v1' })).toThrow(/absolute/);
    expect(() => renderTracker({ ...settings, endpoint: 'javascript:alert(1)' })).toThrow(/absolute/);
  });

  test('never throws, even where the browser APIs it needs are missing', () => {
    const out = renderTracker(settings);
    expect(() => runInNewContext(out, {})).not.toThrow();
    expect(() => runInNewContext(out, { window: {}, document: {}, navigator: {}, location: {} })).not.toThrow();
  });
});

describe('snippetTag', () => {
  test('is the stub and an async script tag for the site', () => {
    const tag = snippetTag('http://127.0.0.1:3000/', 'wk_dev');
    expect(tag).toBe(
      `<script>${STUB_SOURCE}</script>\n<script async src="http://127.0.0.1:3000/v1/tracker.js?writeKey=wk_dev"></script>`,
    );
  });

  test('encodes the write key and escapes the attribute', () => {
    const tag = snippetTag('https://c.example', 'a&b"<x>');
    expect(tag).toContain('src="https://c.example/v1/tracker.js?writeKey=a%26b%22%3Cx%3E"');
    expect(snippetTag('https://c.example/"onload="x', 'k')).toContain('src="https://c.example/&quot;onload=&quot;x/v1/');
  });

  test('the stub queues calls in order until the tracker loads, and is idempotent', () => {
    const window: Record<string, unknown> = {};
    runInNewContext(STUB_SOURCE, { window });
    const intent = window.intent as unknown[] & Record<string, (...args: unknown[]) => void>;
    for (const m of ['page', 'track', 'identify', 'group', 'consent']) expect(typeof intent[m]).toBe('function');
    intent.consent!(true);
    intent.identify!('u1', { email: 'a@b.example' });
    intent.track!('demo_request', { form: 'x' });
    runInNewContext(STUB_SOURCE, { window }); // pasted twice
    expect(window.intent).toBe(intent);
    intent.page!();
    expect([...intent]).toEqual([
      ['consent', true],
      ['identify', 'u1', { email: 'a@b.example' }],
      ['track', 'demo_request', { form: 'x' }],
      ['page'],
    ]);
  });
});

describe('TRACKER_SOURCE', () => {
  test('is a function expression', () => {
    expect(typeof runInNewContext(`(${TRACKER_SOURCE})`)).toBe('function');
  });

  test('generated.ts is up to date with src/browser (run `npx tsx packages/tracker/build.ts`)', async () => {
    const fresh = await renderGenerated();
    const committed = readFileSync(GENERATED_PATH, 'utf8');
    expect(committed === fresh, 'packages/tracker/src/generated.ts is stale: run `npx tsx packages/tracker/build.ts`').toBe(true);
  });

  test('is at most 4 KiB gzipped', () => {
    const gzipBytes = gzipSync(TRACKER_SOURCE).length;
    expect(gzipBytes).toBeLessThanOrEqual(4096);
    expect(trackerSizes()).toEqual({ bytes: Buffer.byteLength(TRACKER_SOURCE), gzipBytes });
  });
});

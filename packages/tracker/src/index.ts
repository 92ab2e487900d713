import { TRACKER_SOURCE } from './generated';
import type { TrackerSettings } from './types';

export type { TrackerSettings } from './types';
export { TRACKER_SOURCE };

const SCRIPT_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** JSON that is also safe inside an inline `<script>` (no `</script>`, `<!--`, line separators). */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => SCRIPT_ESCAPES[c]!);
}

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

/**
 * The body of `GET /v1/tracker.js?writeKey=...`: the snippet invoked with this site's
 * settings. Only the fields below are embedded, so a whole site config may be passed.
 */
export function renderTracker(settings: TrackerSettings): string {
  const endpoint = trimSlash(settings.endpoint);
  if (!/^https?:\/\/[^/]/.test(endpoint)) {
    throw new TypeError(`tracker endpoint must be an absolute http(s) URL, got ${JSON.stringify(settings.endpoint)}`);
  }
  const embedded: TrackerSettings = {
    endpoint,
    writeKey: settings.writeKey,
    consentRequired: settings.consentRequired === true,
    engagedRead: {
      activeSeconds: Number(settings.engagedRead.activeSeconds),
      scrollPercent: Number(settings.engagedRead.scrollPercent),
    },
  };
  return `${TRACKER_SOURCE}(${scriptSafeJson(embedded)});\n`;
}

/**
 * Defines `window.intent` as a queue until the script arrives. Methods are recorded as
 * `[name, ...args]` and replayed in order by the tracker, which then takes over the same
 * object. Running it twice (the tag pasted twice) is harmless.
 */
export const STUB_SOURCE =
  '!function(w){var a=w.intent=w.intent||[];if(!a.loaded&&!a.stub){a.stub=1;' +
  '["page","track","identify","group","consent"].forEach(function(m){' +
  'a[m]=function(){a.push([m].concat([].slice.call(arguments)))}})}}(window);';

const escapeAttr = (s: string): string =>
  s.replace(/[&"<>]/g, (c) => ({ '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;' })[c]!);

/** The tag a site pastes into every page: the queueing stub and the async script. */
export function snippetTag(baseUrl: string, writeKey: string): string {
  const src = `${trimSlash(baseUrl)}/v1/tracker.js?writeKey=${encodeURIComponent(writeKey)}`;
  return `<script>${STUB_SOURCE}</script>\n<script async src="${escapeAttr(src)}"></script>`;
}

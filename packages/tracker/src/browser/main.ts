/**
 * The tracking snippet. Bundled by packages/tracker/build.ts into a function expression that
 * `renderTracker` invokes with the site's settings as `__intentSettings`.
 */
import type { TrackerSettings } from '../types';
import { watchEngagement } from './engaged';
import { cookieGet, cookieSet, lsGet, lsSet } from './storage';
import { createTransport, type TrackerEvent } from './transport';
import { now, obj, type Props, safe, uuid } from './util';

declare const __intentSettings: TrackerSettings;
declare const __VERSION__: string;

type Method = (...args: unknown[]) => unknown;
/** `window.intent`: the stub's queue of `[method, ...args]`, then the live API. */
type Api = unknown[][] & { loaded?: 1; [method: string]: unknown };

const AID = '_ip_aid';
const UID = '_ip_uid';
const TRAITS = '_ip_traits';
const CONSENT = '_ip_consent';

const start = (): void => {
  const S = __intentSettings;
  const w = window as unknown as { intent?: Api; doNotTrack?: string };
  const d = document;
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  const loc = location;

  const prev = w.intent;
  if (prev?.loaded) return; // the script is on the page twice
  const api: Api = Array.isArray(prev) ? prev : ([] as unknown as Api);
  const queued = api.splice(0);

  const dnt = nav.doNotTrack == '1' || w.doNotTrack == '1' || nav.globalPrivacyControl === true;
  const stored = lsGet(CONSENT);
  let consent: TrackerEvent['context']['consent'] = stored == '1' ? 'granted' : stored == '0' ? 'denied' : 'unknown';
  /** Events may be kept in memory (waiting for consent). */
  const mayHold = (): boolean => !dnt && consent != 'denied';
  /** Events may leave the page, and identifiers may be stored. */
  const maySend = (): boolean => mayHold() && (!S.consentRequired || consent == 'granted');

  let anonymousId = cookieGet(AID) || lsGet(AID) || uuid();
  let userId = lsGet(UID) || undefined;
  let traits: Props = {};
  try {
    traits = obj(JSON.parse(lsGet(TRAITS) || '{}'));
  } catch (_) {}

  /**
   * Traits as kept in the browser: no email, nor any value shaped like one. Storage outlives the
   * page and any script on the site can read it; the identify already linked this browser to
   * its account, so later pages need no address.
   */
  const storable = (t: Props): Props => {
    const kept: Props = {};
    for (const k in t) if (k.toLowerCase() != 'email' && !/^[^@\s]+@[^@\s]+$/.test(String(t[k]))) kept[k] = t[k];
    return kept;
  };
  const persist = (): void => {
    if (!maySend()) return;
    cookieSet(AID, anonymousId);
    lsSet(AID, anonymousId);
    lsSet(UID, userId);
    lsSet(TRAITS, JSON.stringify(storable(traits)));
  };
  const forget = (): void => {
    cookieSet(AID, '');
    for (const k of [AID, UID, TRAITS]) lsSet(k);
    anonymousId = uuid();
    userId = undefined;
    traits = {};
  };

  // Page state: URLs compare without their #fragment, unless it is a hash route (#/…, #!/…).
  const key = (url: string): string => (/#!?\//.test(url) ? url : url.split('#')[0]!);
  let url = loc.href;
  let referrer = d.referrer;
  let lastPage = '';

  const transport = createTransport(`${S.endpoint}/v1/collect`, S.writeKey, maySend, (ev, sentAt) => {
    ev.sentAt = sentAt;
    ev.context.consent = consent;
  });

  const make = (type: TrackerEvent['type'], extra: Partial<TrackerEvent>, props?: unknown): TrackerEvent => {
    if (key(loc.href) != key(url)) referrer = url; // a single-page-app navigation
    url = loc.href;
    const page = { url, title: d.title, path: loc.pathname, referrer };
    return Object.assign(
      {
        type,
        messageId: uuid(),
        anonymousId,
        userId,
        timestamp: now(),
        properties: Object.assign({}, page, obj(props)),
        traits: Object.assign({}, traits),
        context: {
          page,
          userAgent: nav.userAgent,
          consent,
          library: { name: 'intent-tracker', version: __VERSION__ },
        },
      },
      extra,
    );
  };
  const emit = (ev: TrackerEvent): void => {
    if (mayHold()) transport.add(ev);
  };
  const ids = (id: unknown, t: unknown): [string | undefined, Props] =>
    id && typeof id == 'object' ? [undefined, obj(id)] : [id == null || id === '' ? undefined : String(id), obj(t)];

  const methods: Record<string, Method> = {
    page(name?: unknown, props?: unknown) {
      const named = typeof name == 'string';
      const ev = make('page', named ? { name: name as string } : {}, named ? props : name);
      lastPage = key(url);
      resetEngagement();
      emit(ev);
    },
    track(event?: unknown, props?: unknown) {
      if (typeof event == 'string' && event) emit(make('track', { event }, props));
    },
    identify(id?: unknown, t?: unknown) {
      const [newId, newTraits] = ids(id, t);
      if (newId) {
        if (userId && newId != userId) traits = {};
        userId = newId;
      }
      traits = Object.assign({}, traits, newTraits);
      persist();
      emit(make('identify', {}));
    },
    group(id?: unknown, t?: unknown) {
      const [groupId, groupTraits] = ids(id, t);
      emit(make('group', { groupId, traits: groupTraits }));
    },
    consent(granted?: unknown) {
      if (granted) {
        consent = 'granted';
        lsSet(CONSENT, '1');
        persist();
        transport.flush();
      } else {
        consent = 'denied';
        lsSet(CONSENT, '0');
        transport.drop();
        forget();
      }
    },
    /** Forgets the user (logout): a new anonymous id, no user id or traits. */
    reset() {
      forget();
      persist();
    },
    anonymousId: () => anonymousId,
  };
  for (const m in methods) api[m] = safe(methods[m]!);
  api.loaded = 1;
  w.intent = api;
  const call = (m: string): Method => api[m] as Method;

  const resetEngagement = watchEngagement(S.engagedRead.activeSeconds, S.engagedRead.scrollPercent, () =>
    call('track')('content_read', { url: loc.href, title: d.title }),
  );

  // Calls made before we loaded, in order (consent and identify come before the first page).
  for (const args of queued) {
    const f = api[String(args[0])];
    if (typeof f == 'function') f.apply(api, args.slice(1));
  }
  persist();

  // Automatic page views: now, and after single-page-app navigations (once per URL).
  let debounce: ReturnType<typeof setTimeout> | undefined;
  const autoPage = safe(() => {
    if (key(loc.href) != lastPage) call('page')();
  });
  const navigated = safe(() => {
    clearTimeout(debounce);
    debounce = setTimeout(autoPage, 100); // let the app set the title, and coalesce redirects
  });
  const h = history as unknown as Record<string, Method>;
  for (const m of ['pushState', 'replaceState']) {
    const original = h[m]!;
    h[m] = function (this: History, ...args: unknown[]) {
      const r = original.apply(this, args);
      navigated();
      return r;
    };
  }
  addEventListener('popstate', navigated);
  // A page restored from the back/forward cache is viewed again.
  addEventListener(
    'pageshow',
    safe((e: PageTransitionEvent) => {
      if (e.persisted) {
        lastPage = '';
        autoPage();
      }
    }),
  );
  autoPage();

  // Leaving (tab hidden, page unloaded or frozen): send what is queued with sendBeacon.
  const leave = safe(() => transport.flush(true));
  d.addEventListener('visibilitychange', () => {
    if (d.visibilityState == 'hidden') leave();
  });
  addEventListener('pagehide', leave);
};

safe(start)();

import { safe } from './util';

/**
 * Engaged-read detection. Every second the page is visible and either focused or touched in
 * the last 10 s counts as active; once per page view, when active seconds reach
 * `activeSeconds` and the deepest scroll reached `scrollPercent` (a page too short to scroll
 * counts as 100 %), `onRead` is called. Returns the reset to call on every page view.
 */
export const watchEngagement = (activeSeconds: number, scrollPercent: number, onRead: () => void): (() => void) => {
  const d = document;
  let active = 0;
  let deepest = 0;
  let done = false;
  let touched = 0;

  const measure = (): void => {
    const h = Math.max(d.documentElement.scrollHeight, d.body ? d.body.scrollHeight : 0);
    const v = innerHeight;
    deepest = Math.max(deepest, h <= v + 1 ? 100 : ((scrollY + v) / h) * 100);
  };

  for (const type of ['scroll', 'mousemove', 'keydown', 'pointerdown', 'touchstart', 'wheel'])
    addEventListener(
      type,
      safe(() => {
        touched = Date.now();
        if (type == 'scroll') measure();
      }),
      { capture: true, passive: true },
    );

  setInterval(
    safe(() => {
      if (done) return;
      if (d.visibilityState == 'visible' && (d.hasFocus() || Date.now() - touched < 1e4)) active++;
      measure();
      if (active >= activeSeconds && deepest + 0.5 >= scrollPercent) {
        done = true;
        onRead();
      }
    }),
    1000,
  );

  return () => {
    active = deepest = 0;
    done = false;
  };
};

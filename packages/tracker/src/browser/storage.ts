/** First-party storage: localStorage and cookies, each of which may be unavailable or throw. */

export const lsGet = (k: string): string | null => {
  try {
    return localStorage.getItem(k);
  } catch (_) {
    return null;
  }
};

/** Stores `v`, or removes the key when `v` is empty. */
export const lsSet = (k: string, v?: string | null): void => {
  try {
    v ? localStorage.setItem(k, v) : localStorage.removeItem(k);
  } catch (_) {}
};

export const cookieGet = (k: string): string | null => {
  try {
    const m = document.cookie.match(new RegExp(`(?:^|; )${k}=([^;]*)`));
    return m ? decodeURIComponent(m[1]!) : null;
  } catch (_) {
    return null;
  }
};

/**
 * Sets a one-year, SameSite=Lax cookie (or deletes it when `v` is empty) on the widest domain
 * the browser accepts, so that www.site.example and blog.site.example share the id (public
 * suffixes like co.uk are refused by the browser and skipped). IP and single-label hosts get
 * a host-only cookie.
 */
export const cookieSet = (k: string, v: string): void => {
  try {
    const h = location.hostname;
    const p = h.split('.');
    const base =
      k +
      '=' +
      encodeURIComponent(v) +
      '; path=/; max-age=' +
      (v ? 31536000 : 0) +
      '; SameSite=Lax' +
      (location.protocol == 'https:' ? '; Secure' : '');
    if (!/^[\d.]+$|:/.test(h))
      for (let i = 2; i <= p.length; i++) {
        document.cookie = `${base}; domain=${p.slice(-i).join('.')}`;
        if (v && cookieGet(k) == v) return;
      }
    document.cookie = base;
  } catch (_) {}
};

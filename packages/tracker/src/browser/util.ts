/** Runs `f`, swallowing anything it throws: the host page must never see our errors. */
export const safe =
  <A extends unknown[], R>(f: (...a: A) => R) =>
  (...a: A): R | undefined => {
    try {
      return f(...a);
    } catch (_) {
      return undefined;
    }
  };

export type Props = Record<string, unknown>;

/** `x` when it is a plain-ish object, else `{}` (so a string never gets spread into props). */
export const obj = (x: unknown): Props => (x && typeof x == 'object' ? (x as Props) : {});

export const now = (): string => new Date().toISOString();

/** A v4 UUID: `crypto.randomUUID` (secure contexts only), else `getRandomValues`, else Math.random. */
export const uuid = (): string => {
  const c = self.crypto;
  try {
    return c.randomUUID();
  } catch (_) {}
  const b = new Uint8Array(16);
  try {
    c.getRandomValues(b);
  } catch (_) {
    for (let i = 0; i < 16; i++) b[i] = Math.random() * 256;
  }
  b[6] = (b[6]! & 15) | 64;
  b[8] = (b[8]! & 63) | 128;
  let s = '';
  for (let i = 0; i < 16; i++) s += (i > 3 && i < 11 && !(i & 1) ? '-' : '') + (b[i]! + 256).toString(16).slice(1);
  return s;
};

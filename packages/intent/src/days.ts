/** UTC calendar-day arithmetic on 'YYYY-MM-DD' strings, without reading the clock. */

const DAY_MS = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 for a valid 'YYYY-MM-DD', else undefined (bad input is skipped, not guessed). */
export function dayNumber(day: string): number | undefined {
  if (typeof day !== 'string') return undefined;
  const m = DAY_RE.exec(day);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  // Date.UTC rolls 2024-02-31 over into March and maps years 0-99 to 19xx: reject both.
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    return undefined;
  }
  return date.getTime() / DAY_MS;
}

/** The 'YYYY-MM-DD' of a day number. */
export function dayString(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** 'today', 'yesterday' or 'N days ago'. */
export function ago(ageDays: number): string {
  if (ageDays <= 0) return 'today';
  if (ageDays === 1) return 'yesterday';
  return `${ageDays} days ago`;
}

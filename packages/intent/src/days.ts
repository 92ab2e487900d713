/** UTC calendar-day arithmetic on 'YYYY-MM-DD' strings and ISO instants, without reading the clock: the one home of days. */

export const DAY_MS = 86_400_000;
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

/**
 * An instant already written as `toISOString` writes it (what the collector stores): its day and
 * hour can be read off the string, which a batch does for every event, twice.
 */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const isoOf = (at: string) => (ISO_UTC.test(at) ? at : new Date(at).toISOString());

/** The UTC day of an instant, as 'YYYY-MM-DD': the bucket of rollups. */
export function dayOf(at: Date | string): string {
  return (typeof at === 'string' ? isoOf(at) : at.toISOString()).slice(0, 10);
}

/** The UTC hour of an instant, '00'..'23': where a counter keeps an event's id once it leaves the day's item. */
export function slotOf(at: string): string {
  return isoOf(at).slice(11, 13);
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

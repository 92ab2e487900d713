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
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

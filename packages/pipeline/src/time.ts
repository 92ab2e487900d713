/** The UTC day of an instant, as 'YYYY-MM-DD': the bucket of rollups. */
export function dayOf(at: Date | string): string {
  return (typeof at === 'string' ? new Date(at) : at).toISOString().slice(0, 10);
}

/** The UTC hour of an instant, '00'..'23': where a counter keeps an event's id once it leaves the day's item. */
export function slotOf(at: string): string {
  return new Date(at).toISOString().slice(11, 13);
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

import { EVENT_HISTORY_DAYS } from '@intent/config';
import { badRequest, json, type Route, requireScope } from '@intent/http';
import { addDays, DAY_MS, dayOf } from '@intent/intent';
import { configs, principalOf, store } from './deps';

/** `from`/`to` as ISO dates or date-times; the default is the last `days` days up to now. */
function window(query: Record<string, string>, days: number): { from: Date; to: Date } {
  const to = query.to ? new Date(query.to) : new Date();
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - days * DAY_MS);
  for (const [field, d] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (Number.isNaN(d.getTime()))
      throw badRequest('invalid_request', `${field}: not an ISO 8601 date`, [{ path: field, message: 'not an ISO 8601 date' }]);
  }
  if (from > to) throw badRequest('invalid_request', 'from must not be after to', [{ path: 'from', message: 'after to' }]);
  return { from, to };
}

export const ingestionRoutes: Record<string, Route> = {
  'GET /v1/ingestion/stats': async (req) => {
    requireScope(await principalOf(req), 'admin', 'marketing');
    const { from, to } = window(req.query, 1);
    const { sites } = (await configs.get()).sites;
    const stats = await Promise.all(
      sites.map(async (s) => [s.id, await store.activity.stats(s.id, dayOf(from), dayOf(to))] as const),
    );
    return json(200, { window: { from: from.toISOString(), to: to.toISOString() }, sites: Object.fromEntries(stats) });
  },
  'GET /v1/topics/trends': async (req) => {
    requireScope(await principalOf(req), 'admin', 'marketing');
    const days = Number(req.query.days ?? 14);
    if (!Number.isInteger(days) || days < 1 || days > EVENT_HISTORY_DAYS) {
      const message = `a whole number from 1 to ${EVENT_HISTORY_DAYS}`;
      throw badRequest('invalid_request', `days: ${message}`, [{ path: 'days', message }]);
    }
    const config = await configs.get();
    const sites = config.sites.sites.filter((s) => !req.query.site || s.id === req.query.site);
    const names = Object.fromEntries(config.topics.topics.map((t) => [t.id, t.name]));
    const today = dayOf(new Date());
    const fromDay = addDays(today, 1 - days);
    const trends = await Promise.all(
      sites.map(async (site) => {
        const rows = await store.activity.topicDays(site.id, fromDay, today);
        const byTopic = new Map<string, typeof rows>();
        for (const r of rows) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
        return [...byTopic].map(([topic, daily]) => ({
          site: site.id,
          topic,
          name: names[topic] ?? topic,
          reads: daily.reduce((n, d) => n + d.reads, 0),
          daily: daily.map(({ topic: _t, ...d }) => d),
        }));
      }),
    );
    return json(200, { days, from: fromDay, to: today, trends: trends.flat().sort((a, b) => b.reads - a.reads) });
  },
};

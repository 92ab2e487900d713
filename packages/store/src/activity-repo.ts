import { estimatePeople } from '@intent/intent';
import { z } from 'zod';
import { type AddOutcome, addOnce, type Contribution, CounterStates, levelAttr } from './counted-add';
import { defineEntity } from './entity';
import { siteDayKey, siteDayOf, siteDaySk, sitePk } from './keys';
import { stringsOf, type Table, toAttr } from './table';

/** Keep a site's daily activity long enough for a quarter's trends and stats. */
export const ACTIVITY_TTL_DAYS = 100;

/** Per-topic numbers of one site and day: what the whole audience reads, resolved or not. */
export interface TopicDay {
  day: string;
  topic: string;
  pageViews: number;
  reads: number;
  unresolvedReads: number;
  visitors: number;
}

export interface SiteStats {
  accepted: number;
  rejected: Record<string, number>;
  dropped: Record<string, number>;
  /** Topic ids on accepted events that did not count (not configured, or over the per-event cap). */
  ignoredTopics: number;
  /**
   * What was left out of accepted events or not acted on, per kind: claims a public-key event
   * may not make (`ip`, `domain`, `group`), and identity claims the rollup refused.
   */
  ignored: Record<string, number>;
  lag: { averageSeconds: number | null; samples: number };
}

/**
 * A site's activity on one UTC day (`SITE#<id>` / `D#<YYYY-MM-DD>`): the fixed ingestion
 * counters, and attributes named by the data, kept beside them and read by name: counters per
 * rejection code, drop reason and ignored claim (`rej_`, `drop_`, `ign_`), per topic (`pv_`,
 * `r_`, `u_`), each topic's visitor sample (`v_`) with its level, and what `addOnce` keeps to
 * count each event once.
 */
export const siteDayEntity = defineEntity({
  name: 'site day',
  key: (p: { siteId: string; day: string }) => siteDayKey(p.siteId, p.day),
  attributes: z.looseObject({
    pk: z.string(),
    sk: z.string(),
    accepted: z.number().optional(),
    ignoredTopics: z.number().optional(),
    /** The pipeline lag summed over `lagN` samples. */
    lagMs: z.number().optional(),
    lagN: z.number().optional(),
    expiresAt: z.number().optional(),
  }),
  indexes: [],
  ttl: 'expiresAt',
});

/**
 * A site's activity by UTC day (`SITE#<id>` / `D#<YYYY-MM-DD>`): topic trends (page views,
 * reads, reads that resolved to no account, distinct visitors) and ingestion counters
 * (accepted, rejected by code, dropped by reason, pipeline lag). Usually one conditional update
 * per site and day per batch; events are counted once, like rollups (`addOnce`, whose bounds
 * hold at any volume: docs/storage.md). Distinct visitors per topic are sampled above
 * PEOPLE_CAP and reported as an estimate.
 */
export class ActivityRepository {
  constructor(private readonly table: Table) {}

  /** What these site days have counted, in batch reads: for `add`. */
  counted(days: { siteId: string; day: string; contributions: Contribution[] }[]): Promise<CounterStates> {
    return CounterStates.read(
      this.table,
      days.map((d) => ({ key: siteDayEntity.key(d), slots: d.contributions.map((c) => c.slot) })),
    );
  }

  /** Whether the site's day, as `counted` read it, has counted this event. */
  hasCounted(counted: CounterStates, siteId: string, day: string, event: Pick<Contribution, 'id' | 'slot'>): boolean {
    return counted.has(siteDayEntity.key({ siteId, day }), event);
  }

  /** `day` is 'YYYY-MM-DD' (UTC). `counted`: see `counted()`. */
  add(siteId: string, day: string, contributions: Contribution[], counted?: CounterStates): Promise<AddOutcome> {
    const key = siteDayEntity.key({ siteId, day });
    const expiresAt = Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + ACTIVITY_TTL_DAYS * 86_400;
    return addOnce(this.table, key, contributions, expiresAt, counted?.of(key));
  }

  async stats(siteId: string, fromDay: string, toDay: string): Promise<SiteStats> {
    const stats: SiteStats = {
      accepted: 0,
      rejected: {},
      dropped: {},
      ignoredTopics: 0,
      ignored: {},
      lag: { averageSeconds: null, samples: 0 },
    };
    let lagMs = 0;
    for (const day of await this.days(siteId, fromDay, toDay)) {
      stats.accepted += day.accepted ?? 0;
      stats.ignoredTopics += day.ignoredTopics ?? 0;
      lagMs += day.lagMs ?? 0;
      stats.lag.samples += day.lagN ?? 0;
      for (const [attr, value] of Object.entries(day)) {
        if (typeof value !== 'number') continue;
        if (attr.startsWith('rej_')) bump(stats.rejected, attr.slice(4), value);
        else if (attr.startsWith('drop_')) bump(stats.dropped, attr.slice(5), value);
        else if (attr.startsWith('ign_')) bump(stats.ignored, attr.slice(4), value);
      }
    }
    if (stats.lag.samples) stats.lag.averageSeconds = Math.round(lagMs / stats.lag.samples / 100) / 10;
    return stats;
  }

  /** Per day and topic; `visitors` is exact up to PEOPLE_CAP, an estimate from a sample above. */
  async topicDays(siteId: string, fromDay: string, toDay: string): Promise<TopicDay[]> {
    const byKey = new Map<string, TopicDay>();
    for (const item of await this.days(siteId, fromDay, toDay)) {
      const day = siteDayOf(item.sk);
      for (const [attr, value] of Object.entries(item)) {
        const m = /^(pv|r|u|v)_(.+)$/.exec(attr);
        if (!m) continue;
        const [, kind, topic = ''] = m;
        const key = `${day}|${topic}`;
        const entry = byKey.get(key) ?? { day, topic, pageViews: 0, reads: 0, unresolvedReads: 0, visitors: 0 };
        const count = typeof value === 'number' ? value : 0;
        if (kind === 'pv') entry.pageViews += count;
        else if (kind === 'r') entry.reads += count;
        else if (kind === 'u') entry.unresolvedReads += count;
        else {
          const level = item[levelAttr(attr)];
          entry.visitors = estimatePeople({ members: new Set(stringsOf(value)), level: typeof level === 'number' ? level : 0 });
        }
        byKey.set(key, entry);
      }
    }
    return [...byKey.values()].sort((a, b) => a.day.localeCompare(b.day) || a.topic.localeCompare(b.topic));
  }

  private async days(siteId: string, fromDay: string, toDay: string) {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: toAttr({ ':pk': sitePk(siteId), ':from': siteDaySk(fromDay), ':to': siteDaySk(toDay) }),
    });
    return items.map(siteDayEntity.parse);
  }
}

function bump(map: Record<string, number>, key: string, n: number) {
  map[key] = (map[key] ?? 0) + n;
}

import { LIMITS, type Site, type TopicsConfig } from '@intent/config';

/** Topics one event counts at most (`LIMITS.topicsPerEvent`). */
export const MAX_TOPICS_PER_EVENT = LIMITS.topicsPerEvent;

/** What an event's topics come to: the ids it counts (sorted), and how many ids were left out. */
export interface EventTopics {
  topics: string[];
  ignored: number;
}

/** The topic ids of the `topics` section: the only declared ids that count. */
export function configuredTopics(topics: TopicsConfig): ReadonlySet<string> {
  return new Set(topics.topics.map((t) => t.id));
}

/**
 * Topics of an event. Those the site's URL rules assign count, and those the page declares
 * count when they are configured topics (compared trimmed and lower-cased); at most
 * `MAX_TOPICS_PER_EVENT`, URL-rule topics first, then declared ones in the order given. Every
 * other distinct id is left out and counted in `ignored`: a client cannot make the pipeline
 * keep counters for ids nobody configured.
 */
export function topicsFor(
  site: Site,
  configured: ReadonlySet<string>,
  url: string | undefined,
  declared: readonly string[] | undefined,
): EventTopics {
  const candidates = new Set<string>();
  const path = pathOf(url);
  if (path !== undefined) {
    for (const rule of site.topicRules) if (path.startsWith(rule.pathPrefix)) for (const t of rule.topics) candidates.add(t);
  }
  let unconfigured = 0;
  const seen = new Set<string>();
  for (const t of declared ?? []) {
    const id = t.trim().toLowerCase();
    if (seen.has(id)) continue;
    seen.add(id);
    if (configured.has(id)) candidates.add(id);
    else if (!candidates.has(id)) unconfigured++;
  }
  // A declared id that a URL rule also assigns counts, as the rule's, whether configured or not.
  const overCap = Math.max(0, candidates.size - MAX_TOPICS_PER_EVENT);
  const topics = [...candidates].slice(0, MAX_TOPICS_PER_EVENT).sort();
  return { topics, ignored: unconfigured + overCap };
}

function pathOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url, 'http://relative.invalid').pathname;
  } catch {
    return undefined;
  }
}

import type { Site } from '@intent/config';

const TOPIC_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Topics of an event: those the page declares plus those the site's URL rules assign, de-duplicated. */
export function topicsFor(site: Site, url: string | undefined, declared: string[] | undefined): string[] {
  const topics = new Set<string>();
  for (const t of declared ?? []) {
    const id = t.trim().toLowerCase();
    if (TOPIC_ID.test(id)) topics.add(id);
  }
  const path = pathOf(url);
  if (path !== undefined) {
    for (const rule of site.topicRules) if (path.startsWith(rule.pathPrefix)) for (const t of rule.topics) topics.add(t);
  }
  return [...topics].sort();
}

function pathOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url, 'http://relative.invalid').pathname;
  } catch {
    return undefined;
  }
}

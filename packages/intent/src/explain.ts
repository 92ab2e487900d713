import { SIGNALS, type Signal, type SignalsConfig } from '@intent/config';
import { ago } from './days';
import type { TopicFacts } from './model';
import { PEOPLE_CAP } from './people';
import { type IntentNames, NO_TOPIC, type Stage } from './types';

/** Topics spelled out in full; the rest are only named, so the list stays readable. */
const MAX_TOPIC_SENTENCES = 3;

const LABEL: Record<Signal, [one: string, many: string]> = {
  page_view: ['page view', 'page views'],
  content_read: ['article read', 'article reads'],
  content_download: ['download', 'downloads'],
  webinar_registration: ['webinar registration', 'webinar registrations'],
  pricing_view: ['pricing-page visit', 'pricing-page visits'],
  demo_request: ['demo request', 'demo requests'],
};

/** What a person did with content, as a verb phrase: [verb, singular noun, plural noun]. */
const READ_PHRASE: Partial<Record<Signal, [string, string, string]>> = {
  content_read: ['read', 'article', 'articles'],
  content_download: ['downloaded', 'asset', 'assets'],
  webinar_registration: ['registered for', 'webinar', 'webinars'],
};

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
const article = (word: string): string => (/^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`);

/** "a, b and c". */
function list(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** 0.5, 2, 1.3; tiny non-zero rates say so rather than rounding to "0". */
function rate(n: number): string {
  if (n > 0 && n < 0.1) return 'under 0.1';
  return String(Math.round(n * 10) / 10);
}

/**
 * Whether hand-raises came from a verified source (a server-side call with the site's secret
 * key) or from a browser (the public key, which anyone can copy): an SDR weighs them apart.
 */
function handRaiseSource(n: number, verified: number): string {
  if (verified >= n) return n === 1 ? 'source: verified, sent server-side' : 'source: verified, all sent server-side';
  if (verified <= 0) return 'source: browser, not verified';
  return `source: ${verified} verified, sent server-side; ${n - verified} from a browser`;
}

function topicName(topic: string, names: IntentNames): string {
  return names.topicNames?.[topic] ?? topic;
}

/** Plain sentences, most decisive first: hand-raises, topics by strength, then the weak signals. */
/** Topics named in the "Also reading about" sentence; the rest are counted. */
const MAX_NAMED_TOPICS = 8;

export function explain(facts: readonly TopicFacts[], stage: Stage, signals: SignalsConfig, names: IntentNames): string[] {
  const w = signals.windowDays;
  const out: string[] = [];
  const total = (pick: (f: TopicFacts) => number): number => facts.reduce((a, f) => a + pick(f), 0);

  for (const s of new Set(signals.handRaise)) {
    const n = total((f) => f.windowIdentified[s]);
    if (n <= 0) continue;
    const latest = Math.min(...facts.map((f) => f.identifiedLatest[s]));
    const [one, many] = LABEL[s];
    const source = handRaiseSource(
      n,
      total((f) => f.windowVerified[s]),
    );
    out.push(
      n === 1
        ? `Hand-raise: ${article(one)} by an identified person ${ago(latest)} (${source}).`
        : `Hand-raise: ${n} ${many} by identified people, the latest ${ago(latest)} (${source}).`,
    );
  }

  const reading = facts.filter((f) => f.reads > 0);
  for (const f of reading.slice(0, MAX_TOPIC_SENTENCES)) out.push(topicSentence(f, signals, names));
  const more = reading.slice(MAX_TOPIC_SENTENCES).map((f) => topicName(f.topic, names));
  // Named up to a handful, so the sentence stays readable (and bounded) however many topics.
  const named =
    more.length > MAX_NAMED_TOPICS
      ? [...more.slice(0, MAX_NAMED_TOPICS - 1), `${more.length - MAX_NAMED_TOPICS + 1} more topics`]
      : more;
  if (more.length > 0) out.push(`Also reading about ${list(named)}.`);

  // Strong signals that did not make a hand-raise (anonymous, or not configured as one).
  for (const s of ['pricing_view', 'demo_request'] as const) {
    const handRaise = signals.handRaise.includes(s);
    const n = total((f) => f.windowCounts[s] - (handRaise ? f.windowIdentified[s] : 0));
    if (n <= 0) continue;
    const [one, many] = LABEL[s];
    const by = handRaise ? ' by unidentified visitors' : '';
    out.push(`${plural(n, one, many)}${by} in the last ${w} days.`);
  }

  const views = total((f) => f.windowCounts.page_view);
  if (views > 0) out.push(`${plural(views, ...LABEL.page_view)} in the last ${w} days.`);

  if (stage === 'cold') {
    out.push(`No scored activity in the last ${w} days.`);
    if (facts.length > 0) out.push(`Last activity ${ago(Math.min(...facts.map((f) => f.lastAge)))}.`);
  }
  return out;
}

/** "3 people at acme.com read 4 articles on X in the last 9 days; 0.5 a week in the 4 weeks before." */
function topicSentence(f: TopicFacts, signals: SignalsConfig, names: IntentNames): string {
  const at = names.domain ? ` at ${names.domain}` : '';
  // Above PEOPLE_CAP the count is an estimate from a sample (see people.ts): say so.
  const many = f.people > PEOPLE_CAP ? `About ${f.people}` : `${f.people}`;
  const who = f.people === 0 ? `Someone${at}` : f.people === 1 ? `1 person${at}` : `${many} people${at}`;
  const did: string[] = [];
  for (const s of SIGNALS) {
    const phrase = READ_PHRASE[s];
    const n = f.windowCounts[s];
    if (phrase && n > 0) did.push(`${phrase[0]} ${plural(n, phrase[1], phrase[2])}`);
  }
  const on = f.topic === NO_TOPIC ? ' with no topic' : ` on ${topicName(f.topic, names)}`;
  const span = f.oldestReadAge <= 0 ? 'today' : `in the last ${f.oldestReadAge + 1} days`;
  const baseDays = 2 * signals.windowDays;
  const weeks = baseDays / 7;
  const before = Number.isInteger(weeks) ? `the ${plural(weeks, 'week', 'weeks')} before` : `the ${baseDays} days before`;
  const baseRate = f.baselineReads / weeks;
  const baseline = baseRate > 0 ? `${rate(baseRate)} a week in ${before}` : `none in ${before}`;
  const surge = f.surges ? 'Surging: ' : '';
  return `${surge}${who} ${list(did)}${on} ${span}; ${baseline}.`;
}

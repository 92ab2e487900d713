import { SIGNALS, type Signal, type SignalsConfig } from '@intent/config';
import { dayNumber } from './days';
import { estimatePeople, mergeSamples, type PeopleSample } from './people';
import { type DailyRollup, NO_TOPIC, type Stage } from './types';

/** Content signals that count as a "read" for the surge rule (the read-or-stronger content events). */
export const READ_SIGNALS: readonly Signal[] = ['content_read', 'content_download', 'webinar_registration'];
/** Anything at or above an engaged read: makes a topic `engaged`. */
const ENGAGED_SIGNALS: readonly Signal[] = [...READ_SIGNALS, 'pricing_view', 'demo_request'];

/** Each extra distinct person adds this much to the topic multiplier ... */
const BREADTH_STEP = 0.25;
/** ... up to this many people (x2 at five people), so one large team cannot swamp the score. */
const BREADTH_MAX_PEOPLE = 5;
/** Share of the non-strongest topics in the account score: focus beats spread. */
const OTHERS_SHARE = 0.25;
/**
 * Half of the score scale is this many surges' worth of reads (`SCALE_SURGES x surgeReads` reads
 * by one person today). Large enough that a buying committee, not one reader, nears the top:
 * five people reading `surgeReads` articles each today score 90, one person's surge about 21.
 */
const SCALE_SURGES = 3;

/** Window plus a baseline twice as long: what velocity compares against. */
export function evidenceDays(signals: SignalsConfig): number {
  return 3 * signals.windowDays;
}

export type Counts = Record<Signal, number>;

const zeroCounts = (): Counts => Object.fromEntries(SIGNALS.map((s) => [s, 0])) as Counts;

/** A count we can trust: negative, fractional noise or NaN from a bad row must not subtract intent. */
const clean = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0);

/** One topic on one day after merging every copy of its rollup. */
interface Cell {
  counts: Counts;
  identified: Counts;
  /** Of the identified events, those sent with a server write key. */
  verified: Counts;
  people: Set<string>;
  /** The sampling level of `people` (see `mergeSamples`). */
  peopleLevel: number;
}

/** topic -> age in days (0 = today) -> cell. */
export type Evidence = Map<string, Map<number, Cell>>;

/**
 * Folds rollups into one cell per (topic, day). Copies of the same key are versions of the
 * same store record (replays, stale pages), so they merge by per-signal maximum and people
 * union: idempotent, commutative and associative, hence the result depends only on the set of
 * rollups, never on their order or on repeats. An identified event is also an event, so a
 * count never sits below its identified count.
 */
export function collectEvidence(rollups: readonly DailyRollup[], todayNum: number, days: number): Evidence {
  const evidence: Evidence = new Map();
  for (const r of rollups) {
    const n = r ? dayNumber(r.day) : undefined;
    if (n === undefined) continue;
    const age = todayNum - n;
    if (age < 0 || age >= days) continue; // the future is a clock skew, the past beyond is out of scope
    const topic = typeof r.topic === 'string' && r.topic !== '' ? r.topic : NO_TOPIC;
    const byAge = evidence.get(topic) ?? new Map<number, Cell>();
    evidence.set(topic, byAge);
    const cell = byAge.get(age) ?? {
      counts: zeroCounts(),
      identified: zeroCounts(),
      verified: zeroCounts(),
      people: new Set<string>(),
      peopleLevel: 0,
    };
    byAge.set(age, cell);
    for (const s of SIGNALS) {
      const id = clean(r.identified?.[s]);
      cell.identified[s] = Math.max(cell.identified[s], id);
      cell.verified[s] = Math.min(id, Math.max(cell.verified[s], clean(r.verified?.[s])));
      cell.counts[s] = Math.max(cell.counts[s], clean(r.counts?.[s]), id);
    }
    const people = (Array.isArray(r.people) ? r.people : []).filter((p) => typeof p === 'string' && p);
    const level = typeof r.peopleLevel === 'number' && r.peopleLevel > 0 ? Math.floor(r.peopleLevel) : 0;
    const merged = mergeSamples([
      { members: cell.people, level: cell.peopleLevel },
      { members: people, level },
    ]);
    cell.people = merged.members;
    cell.peopleLevel = merged.level;
  }
  return evidence;
}

/** Undecayed weight of one day's events. */
function dayWeight(counts: Counts, signals: SignalsConfig): number {
  let w = 0;
  for (const s of SIGNALS) w += counts[s] * clean(signals.weights[s]);
  return w;
}

/** 0.5 ^ (age / halfLife): intent halves every half-life. */
export function decay(age: number, signals: SignalsConfig): number {
  return 0.5 ** (age / signals.halfLifeDays);
}

/** 1 + 0.25 per extra distinct person, capped at x2: a buying committee strengthens intent. */
export function breadth(people: number): number {
  return 1 + BREADTH_STEP * Math.min(Math.max(people - 1, 0), BREADTH_MAX_PEOPLE - 1);
}

/**
 * Scale k of 100*(1-exp(-raw/k)): `SCALE_SURGES x surgeReads` reads today by one person score
 * exactly 50, so scores keep rising through committee-sized evidence instead of saturating
 * at a single reader's surge.
 */
export function saturationScale(signals: SignalsConfig): number {
  return Math.max(SCALE_SURGES * signals.surgeReads * clean(signals.weights.content_read), 1) / Math.LN2;
}

/** Maps raw weight (>= 0) onto 0..100 with diminishing returns, one decimal. */
export function saturate(raw: number, k: number): number {
  return Math.round(1000 * (1 - Math.exp(-raw / k))) / 10;
}

/** Everything the score, the stage and the explanation need about one topic. */
export interface TopicFacts {
  topic: string;
  /**
   * Decayed weight over the window days times breadth: the topic's strength. The baseline
   * only feeds velocity and the explanation, so intent that went quiet scores 0.
   */
  raw: number;
  velocity: number;
  stage: Stage;
  /** Meets the concentration rule, whatever stronger stage the topic also reached. */
  surges: boolean;
  reads: number;
  people: number;
  /** Youngest age with any evidence. */
  lastAge: number;
  /** Oldest age in the window with a read, or -1. */
  oldestReadAge: number;
  windowCounts: Counts;
  windowIdentified: Counts;
  /** Of `windowIdentified`, the events sent with a server write key (verified). */
  windowVerified: Counts;
  /** Youngest age of an identified event of each signal in the window (Infinity when none). */
  identifiedLatest: Counts;
  baselineReads: number;
  /** Undecayed weight per window day, index = age. */
  dailyWeights: number[];
}

const sumOf = (c: Counts, signals: readonly Signal[]): number => signals.reduce((a, s) => a + c[s], 0);

/** Per-topic aggregates. Ages are walked in ascending order so float sums are reproducible. */
export function topicFacts(topic: string, byAge: Map<number, Cell>, signals: SignalsConfig): TopicFacts {
  const w = signals.windowDays;
  const windowCounts = zeroCounts();
  const windowIdentified = zeroCounts();
  const windowVerified = zeroCounts();
  const identifiedLatest = Object.fromEntries(SIGNALS.map((s) => [s, Infinity])) as Counts;
  const windowSamples: PeopleSample[] = [];
  const dailyWeights = new Array<number>(w).fill(0);
  let decayed = 0;
  let recentWeight = 0;
  let baselineWeight = 0;
  let baselineReads = 0;
  let oldestReadAge = -1;
  const ages = [...byAge.keys()].sort((a, b) => a - b);
  for (const age of ages) {
    const cell = byAge.get(age) as Cell;
    const weight = dayWeight(cell.counts, signals);
    if (age < w) {
      decayed += weight * decay(age, signals);
      recentWeight += weight;
      dailyWeights[age] = weight;
      for (const s of SIGNALS) {
        windowCounts[s] += cell.counts[s];
        windowIdentified[s] += cell.identified[s];
        windowVerified[s] += cell.verified[s];
        if (cell.identified[s] > 0) identifiedLatest[s] = Math.min(identifiedLatest[s], age);
      }
      windowSamples.push({ members: cell.people, level: cell.peopleLevel });
      if (sumOf(cell.counts, READ_SIGNALS) > 0) oldestReadAge = age;
    } else {
      baselineWeight += weight;
      baselineReads += sumOf(cell.counts, READ_SIGNALS);
    }
  }
  const people = estimatePeople(mergeSamples(windowSamples));
  const reads = sumOf(windowCounts, READ_SIGNALS);
  // Untagged reads are not one subject, so they cannot show concentrated interest.
  const surges = topic !== NO_TOPIC && reads >= signals.surgeReads;
  // Weekly rates so a 14-day window and a 28-day baseline compare like for like; the +1 keeps
  // the ratio finite with an empty baseline and stops a single page view reading as a spike.
  const recentRate = recentWeight / (w / 7);
  const baselineRate = baselineWeight / ((2 * w) / 7);
  // Three significant digits: a topic that went quiet shows 0.00499, not a misleading 0.
  const velocity = Number(((recentRate + 1) / (baselineRate + 1)).toPrecision(3));
  return {
    topic,
    raw: decayed * breadth(people),
    velocity,
    stage: topicStage(windowCounts, windowIdentified, surges, signals),
    surges,
    reads,
    people,
    lastAge: ages[0] ?? 0,
    oldestReadAge,
    windowCounts,
    windowIdentified,
    windowVerified,
    identifiedLatest,
    baselineReads,
    dailyWeights,
  };
}

/** The stage ladder of DOMAIN.md, applied to one topic's window. */
function topicStage(counts: Counts, identified: Counts, surges: boolean, signals: SignalsConfig): Stage {
  if (signals.handRaise.some((s) => identified[s] > 0)) return 'hand_raiser';
  if (surges) return 'surging';
  if (ENGAGED_SIGNALS.some((s) => counts[s] > 0)) return 'engaged';
  if (counts.page_view > 0) return 'aware';
  return 'cold';
}

/**
 * (1 - share) * strongest + share * sum of all, i.e. strongest + share * the others, written so
 * every term only grows when any topic grows (monotone even in floating point). Topic raws are
 * summed in topic-id order for reproducibility.
 */
export function accountRaw(facts: readonly Pick<TopicFacts, 'topic' | 'raw'>[]): number {
  let max = 0;
  let sum = 0;
  for (const f of [...facts].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0))) {
    max = Math.max(max, f.raw);
    sum += f.raw;
  }
  return (1 - OTHERS_SHARE) * max + OTHERS_SHARE * sum;
}

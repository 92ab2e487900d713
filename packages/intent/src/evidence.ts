import type { Signal, SignalsConfig } from '@intent/config';
import { SIGNALS } from '@intent/config';
import { dayNumber } from './days';
import {
  accountRaw,
  breadth,
  type Counts,
  collectEvidence,
  decay,
  evidenceDays,
  saturate,
  saturationScale,
  topicFacts,
} from './model';
import type { Stage } from './types';

/**
 * One topic's evidence in the window, per signal: what a push keeps so that the account's
 * intent score and stage can be worked out again later under other weights, hand-raise
 * signals or surge rule, without the rollups (which keep changing after the push).
 */
export interface TopicSignals {
  topic: string;
  stage: Stage;
  /** Distinct people in the window (an estimate above the people sample's cap). */
  people: number;
  /** Events of each signal in the window (signals with none are left out). */
  counts: Partial<Record<Signal, number>>;
  /** Of those, the events of identified people. */
  identified: Partial<Record<Signal, number>>;
  /** Of the identified ones, those sent with a site's server write key. */
  verified: Partial<Record<Signal, number>>;
  /**
   * Sum over the window's days of that day's events x the decay of its age: the part of the
   * topic's raw intent that does not depend on the weights (raw = sum of weight x decayed,
   * times breadth), so the score under any weights is exact for the same half-life.
   */
  decayed: Partial<Record<Signal, number>>;
}

/** Keeps the signals with a count, rounded to 4 decimals: the snapshot stays small. */
function sparse(counts: Counts): Partial<Record<Signal, number>> {
  const out: Partial<Record<Signal, number>> = {};
  for (const s of SIGNALS) if (counts[s] > 0) out[s] = Math.round(counts[s] * 1e4) / 1e4;
  return out;
}

/**
 * Every topic's window evidence per signal as of `today`, strongest first (as `scoreIntent`
 * orders them). Pure: the same rollups give the same answer.
 */
export function topicSignals(
  rollups: Parameters<typeof collectEvidence>[0],
  signals: SignalsConfig,
  today: string,
): TopicSignals[] {
  const todayNum = dayNumber(today);
  if (todayNum === undefined) throw new RangeError(`today must be a valid 'YYYY-MM-DD' day, got "${today}"`);
  const evidence = collectEvidence(rollups, todayNum, evidenceDays(signals));
  const out = [...evidence].map(([topic, byAge]) => {
    const facts = topicFacts(topic, byAge, signals);
    const decayed = Object.fromEntries(SIGNALS.map((s) => [s, 0])) as Counts;
    for (const [age, cell] of byAge) {
      if (age >= signals.windowDays) continue;
      for (const s of SIGNALS) decayed[s] += cell.counts[s] * decay(age, signals);
    }
    return {
      raw: facts.raw,
      topic: {
        topic,
        stage: facts.stage,
        people: facts.people,
        counts: sparse(facts.windowCounts),
        identified: sparse(facts.windowIdentified),
        verified: sparse(facts.windowVerified),
        decayed: sparse(decayed),
      },
    };
  });
  out.sort((a, b) => b.raw - a.raw || (a.topic.topic < b.topic.topic ? -1 : a.topic.topic > b.topic.topic ? 1 : 0));
  return out.map((t) => t.topic);
}

/**
 * The account intent score (0-100) these topics give under `signals`' weights: what
 * `scoreIntent` answers for the same window, for any weights (the half-life and window are
 * those the topics were collected with).
 */
export function intentScoreOf(topics: readonly TopicSignals[], signals: SignalsConfig): number {
  const raws = topics.map((t) => {
    let weighted = 0;
    for (const s of SIGNALS) weighted += (t.decayed[s] ?? 0) * Math.max(0, signals.weights[s] ?? 0);
    return { topic: t.topic, raw: weighted * breadth(t.people) };
  });
  return saturate(accountRaw(raws), saturationScale(signals));
}

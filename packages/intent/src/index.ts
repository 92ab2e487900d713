/**
 * The intent model: per-topic intent, velocity, decay and the account stage. Pure functions:
 * the caller passes the rollups, the signals configuration and `today`, so the same inputs
 * always give the same answer (replays, retries and tests included).
 */
import type { SignalsConfig } from '@intent/config';
import { dayNumber, dayString } from './days';
import { explain } from './explain';
import { accountRaw, collectEvidence, evidenceDays, saturate, saturationScale, type TopicFacts, topicFacts } from './model';
import { type AccountIntent, type DailyRollup, type IntentNames, STAGES, stageRank, type TopicIntent } from './types';

export { addDays, DAY_MS, dayOf, slotOf } from './days';
export { intentScoreOf, type TopicSignals, topicSignals } from './evidence';
export { breadth, decay, evidenceDays, READ_SIGNALS } from './model';
export { estimatePeople, levelFor, PEOPLE_CAP, type PeopleSample, personRank } from './people';
export {
  AccountIntent,
  type DailyRollup,
  type IntentNames,
  NO_TOPIC,
  type RollupEvent,
  STAGES,
  type Stage,
  TopicIntent,
} from './types';

/** Topics an account's intent lists, strongest first: about 4 KB each at the longest window (90 days). */
export const MAX_SCORED_TOPICS = 20;

/**
 * Scores one account from its daily rollups as of `today` ('YYYY-MM-DD', UTC). Rollups outside
 * the last `evidenceDays(signals)` days (or in the future) are ignored; copies of one
 * (topic, day) merge as versions of one record, so the result depends only on the set.
 */
export function scoreIntent(
  rollups: readonly DailyRollup[],
  signals: SignalsConfig,
  today: string,
  names: IntentNames = {},
): AccountIntent {
  const todayNum = dayNumber(today);
  if (todayNum === undefined) throw new RangeError(`today must be a valid 'YYYY-MM-DD' day, got "${today}"`);

  const evidence = collectEvidence(rollups, todayNum, evidenceDays(signals));
  const facts: TopicFacts[] = [...evidence].map(([topic, byAge]) => topicFacts(topic, byAge, signals));
  // Strongest first; the id breaks ties so equal topics always list in the same order.
  facts.sort((a, b) => b.raw - a.raw || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));

  const k = saturationScale(signals);
  const stage = STAGES[Math.max(0, ...facts.map((f) => stageRank(f.stage)))] ?? 'cold';
  // Every topic counts in the account's score; the strongest MAX_SCORED_TOPICS are kept for people
  // to read (and on the saved score), so the record stays bounded however many topics it saw.
  const topics: TopicIntent[] = facts.slice(0, MAX_SCORED_TOPICS).map((f) => ({
    topic: f.topic,
    score: saturate(f.raw, k),
    velocity: f.velocity,
    stage: f.stage,
    reads: f.reads,
    people: f.people,
    lastDay: dayString(todayNum - f.lastAge),
    daily: f.dailyWeights.map((_, i, all) => {
      const age = all.length - 1 - i; // oldest first
      return { day: dayString(todayNum - age), score: saturate(all[age] ?? 0, k) };
    }),
  }));

  return {
    stage,
    score: saturate(accountRaw(facts), k),
    topics,
    explanation: explain(facts, stage, signals, names),
  };
}

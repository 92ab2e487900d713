import { type Signal, STAGES, type Stage } from '@intent/config';
import { z } from 'zod';

/** Topic id for events whose page matched no topic rule (they still count towards the account). */
export const NO_TOPIC = '-';

export { STAGES, type Stage };

/** cold 0, aware 1, engaged 2, surging 3, hand_raiser 4. */
export function stageRank(stage: Stage): number {
  return STAGES.indexOf(stage);
}

/** One account x topic x UTC day, already de-duplicated by the store. */
export interface DailyRollup {
  /** 'YYYY-MM-DD' (UTC). */
  day: string;
  /** Topic id or NO_TOPIC. */
  topic: string;
  /** Events of each signal. */
  counts: Partial<Record<Signal, number>>;
  /** Of those, the events done by identified people (a hand-raise needs one). */
  identified: Partial<Record<Signal, number>>;
  /**
   * Of the identified ones, those sent with the site's secret server write key (a server-side
   * call), not with the public key a browser, or anyone copying it, uses. Absent: none.
   */
  verified?: Partial<Record<Signal, number>>;
  /** Distinct (hashed) visitor ids seen that day on that topic: all of them, or a sample (`peopleLevel`). */
  people: string[];
  /** The sampling level of `people` (see `personRank`): 0 or absent when it holds everyone. */
  peopleLevel?: number;
}

export const TopicIntent = z.object({
  topic: z.string(),
  /** 0..100. */
  score: z.number(),
  /** Recent weekly intent rate against the baseline weekly rate; 1 means unchanged. */
  velocity: z.number(),
  stage: z.enum(STAGES),
  /** Reads, downloads and webinar registrations in the window. */
  reads: z.number(),
  /** Distinct people in the window. */
  people: z.number(),
  /** Latest day with any evidence. */
  lastDay: z.string(),
  /** One entry per window day, oldest first: what that day's events alone would score. */
  daily: z.array(z.object({ day: z.string(), score: z.number() })),
});
export type TopicIntent = z.infer<typeof TopicIntent>;

export const AccountIntent = z.object({
  stage: z.enum(STAGES),
  /** 0..100. */
  score: z.number(),
  /** Strongest first. NO_TOPIC appears here but never surges. */
  topics: z.array(TopicIntent),
  /** Plain sentences a rep can read. */
  explanation: z.array(z.string()),
});
export type AccountIntent = z.infer<typeof AccountIntent>;

/** Display names for the explanation; ids are shown when a name is missing. */
export interface IntentNames {
  domain?: string;
  topicNames?: Record<string, string>;
}

/** One event as a rollup counts it: already resolved to an account and a day. */
export interface RollupEvent {
  /** Short hash of the site and messageId: what makes a replay harmless. */
  id: string;
  /** The event's UTC hour ('00'..'23'): where its id is kept once it leaves the day's item. */
  slot: string;
  signal: Signal;
  /** Every topic it counts for (NO_TOPIC when it has none). */
  topics: string[];
  identified: boolean;
  /** Sent with the site's server write key (`IngestMessage.source`): counted apart when identified. */
  verified?: boolean;
  /** Hashed visitor id, for breadth (distinct people). */
  person: string;
}

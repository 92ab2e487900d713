import { addDays, type TopicIntent } from '@intent/intent';
import type { ScoreSnapshot } from '@intent/qualify';

/**
 * How the account item keeps a score (`s`): as the domain's `ScoreSnapshot`, except each topic's
 * daily series, which is kept as its first day and its scores (`dailyFrom`, `dailyScores`: the
 * days are consecutive, oldest first), not an object per day. That is about a third of the
 * bytes of the item, which every re-score rewrites and DynamoDB bills by its whole size.
 */
type StoredTopic = Omit<TopicIntent, 'daily'> & { dailyFrom?: string; dailyScores?: number[] };

export function packScore(score: ScoreSnapshot): Record<string, unknown> {
  return { ...score, intent: { ...score.intent, topics: score.intent.topics.map(packTopic) } };
}

function packTopic({ daily, ...topic }: TopicIntent): StoredTopic {
  const from = daily[0]?.day;
  return from ? { ...topic, dailyFrom: from, dailyScores: daily.map((d) => d.score) } : topic;
}

/** The score as the domain reads it; an item saved with a day and a score per entry reads as it was. */
export function unpackScore(value: unknown): ScoreSnapshot | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const stored = value as ScoreSnapshot & { intent?: { topics?: (StoredTopic & Partial<Pick<TopicIntent, 'daily'>>)[] } };
  if (!stored.intent?.topics) return stored;
  return { ...stored, intent: { ...stored.intent, topics: stored.intent.topics.map(unpackTopic) } };
}

function unpackTopic({ dailyFrom, dailyScores, ...topic }: StoredTopic & Partial<Pick<TopicIntent, 'daily'>>): TopicIntent {
  if (topic.daily) return topic as TopicIntent;
  const daily = (dailyScores ?? []).map((score, i) => ({ day: addDays(dailyFrom ?? '', i), score }));
  return { ...topic, daily };
}

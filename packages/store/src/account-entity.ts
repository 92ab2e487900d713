import { Firmographics } from '@intent/fit';
import { AccountIntent, addDays, STAGES, TopicIntent } from '@intent/intent';
import { Claim, explainAccount, Hold, OutboxEntry, ScoreSnapshot } from '@intent/qualify';
import { POD_QUEUE_INDEX, SCORED_INDEX } from '@intent/resources';
import { z } from 'zod';
import { defineEntity } from './entity';
import { accountKey } from './keys';

/**
 * The account item (`ACCT#<domain>` / `A`): firmographics, the saved score, claim, feedback hold,
 * the pod-message outbox, and the version every write of something
 * the score depends on moves. In the pod-queue index while queued, in the scored-accounts index
 * once scored.
 */

/**
 * A saved score is kept small, as every re-score rewrites it and DynamoDB bills each write by
 * the item's whole size (1 KB a unit): each topic's daily series as its first day and its scores
 * (`dailyFrom`, `dailyScores`: the days are consecutive, oldest first), not an object per day
 * (a third of the bytes); and no `explanation`, which only repeats the verdict, the readiness
 * reasons, the intent story and the fit reasons kept beside it (a quarter of the bytes): it is
 * made again from them on reading. Items saved with either read as they were.
 */
const StoredTopic = TopicIntent.omit({ daily: true }).extend({
  dailyFrom: z.string().optional(),
  dailyScores: z.array(z.number()).optional(),
  daily: TopicIntent.shape.daily.optional(),
});
type StoredTopic = z.infer<typeof StoredTopic>;

const StoredScore = ScoreSnapshot.extend({
  intent: AccountIntent.extend({ topics: z.array(StoredTopic) }),
  explanation: ScoreSnapshot.shape.explanation.optional(),
}).transform((stored): ScoreSnapshot => {
  const intent = { ...stored.intent, topics: stored.intent.topics.map(unpackTopic) };
  const readiness = { salesReady: stored.salesReady, reasons: stored.readiness };
  return { ...stored, intent, explanation: stored.explanation ?? explainAccount(stored.fit, intent, readiness, stored.pod) };
});

function unpackTopic({ dailyFrom, dailyScores, daily, ...topic }: StoredTopic): TopicIntent {
  return {
    ...topic,
    daily: daily ?? (dailyScores ?? []).map((score, i) => ({ day: addDays(dailyFrom ?? '', i), score })),
  };
}

/** The score as the account item keeps it (`s`). */
export function packScore({ explanation: _madeAgainOnReading, ...score }: ScoreSnapshot): z.input<typeof StoredScore> {
  const topics = score.intent.topics.map(({ daily, ...topic }) => {
    const from = daily[0]?.day;
    return from ? { ...topic, dailyFrom: from, dailyScores: daily.map((d) => d.score) } : topic;
  });
  return { ...score, intent: { ...score.intent, topics } };
}

export const accountEntity = defineEntity({
  name: 'account',
  key: accountKey,
  attributes: z.object({
    pk: z.string(),
    domain: z.string().optional(),
    f: Firmographics.optional(),
    s: StoredScore.optional(),
    claim: Claim.optional(),
    hold: Hold.optional(),
    /** When the latest SDR feedback arrived (ISO 8601). */
    fb: z.string().optional(),
    ob: z.record(z.string(), OutboxEntry).optional(),
    version: z.number().optional(),
    gsi2pk: z.string().optional(),
  }),
  indexes: [POD_QUEUE_INDEX, SCORED_INDEX],
});

/** What audience membership is decided from, as `scoredAccounts` reads it (a projection, never the whole item). */
export const accountAudienceView = defineEntity({
  name: 'account (audience inputs)',
  key: accountKey,
  attributes: z.object({
    pk: z.string(),
    domain: z.string().optional(),
    version: z.number().optional(),
    f: z.object({ name: z.string().optional(), industry: z.string().optional(), country: z.string().optional() }).optional(),
    s: z
      .object({
        fit: z.object({ tier: z.string() }),
        intent: z.object({
          stage: z.string(),
          topics: z.array(z.object({ topic: z.string(), stage: z.string(), score: z.number().optional() })),
        }),
        priority: z.number(),
        pod: z.string().optional(),
        audiences: z.array(z.string()).optional(),
      })
      .optional(),
    hold: z.object({ outcome: z.string().optional() }).optional(),
    gsi2pk: z.string().optional(),
  }),
  indexes: [SCORED_INDEX],
});

/**
 * What a keys-only Query of the scored-accounts index (gsi2) reads of an account: its index sort
 * key, which is its domain (`scoredIndexFields`).
 */
export const accountScoredKeyView = defineEntity({
  name: 'account (scored index key)',
  key: accountKey,
  attributes: z.object({ gsi2sk: z.string() }).transform(({ gsi2sk }) => ({ domain: gsi2sk })),
  indexes: [SCORED_INDEX],
});

/** What taking messages off the outbox reads: the outbox, the version, and whether the account is live without them. */
export const accountOutboxView = defineEntity({
  name: 'account (outbox)',
  key: accountKey,
  attributes: z.object({
    ob: z.record(z.string(), OutboxEntry).optional(),
    version: z.number().optional(),
    s: z
      .object({
        queuedIn: z.string().optional(),
        intent: z
          .object({ stage: z.enum(STAGES) })
          .partial()
          .optional(),
      })
      .optional(),
  }),
  indexes: [],
});

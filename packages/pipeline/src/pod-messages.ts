import { createHash } from 'node:crypto';
import { NO_TOPIC } from '@intent/intent';
import type { ScoreSnapshot } from '@intent/qualify';
import { z } from 'zod';

const PodMessageType = z.enum(['account.qualified', 'account.updated', 'account.dequalified']);
export type PodMessageType = z.infer<typeof PodMessageType>;

/** What a pod's SQS queue receives; also what the account's outbox keeps until SQS accepted it. */
export const PodMessage = z.object({
  type: PodMessageType,
  /** Names the change: the same on every copy sent, so a receiver drops copies by it. */
  id: z.string(),
  podId: z.string(),
  domain: z.string(),
  name: z.string().optional(),
  priority: z.number(),
  stage: z.string(),
  tier: z.string(),
  reasons: z.array(z.string()),
  at: z.string(),
  /** Why now: the intent part of the reasons (what the account's people did), at most `MESSAGE_TOPICS`. */
  intentReasons: z.array(z.string()).optional(),
  /** The stage before this change, when the account had a score: what makes a new hand-raiser. */
  previousStage: z.string().optional(),
  /** The account's strongest topics, at most `MESSAGE_TOPICS`: the topic, its reads and distinct people. */
  topics: z.array(z.object({ topic: z.string(), reads: z.number(), people: z.number() })).optional(),
  /** The account's owner and CRM id from its firmographics, when known: where alerts and CRM updates go. */
  owner: z.string().optional(),
  crmId: z.string().optional(),
});
export type PodMessage = z.infer<typeof PodMessage>;

/** Topics, and intent reasons, a message names at most: what a rep reads at a glance. */
const MESSAGE_TOPICS = 3;

/** What a message says about the account beyond its score: from its firmographics. */
export interface MessageAccount {
  name?: string;
  owner?: string;
  crmId?: string;
}

/**
 * The messages one score change sends to pod queues: entering a queue is `qualified`, leaving
 * it `dequalified`, and a change of stage or of whole-point priority while in it `updated`.
 * Anything smaller is no real change and sends nothing. `version`: the account version the
 * change is saved as; with the domain, the time, the type and the pod it makes each message's id.
 */
export function podMessagesFor(
  domain: string,
  account: MessageAccount | undefined,
  before: { podId?: string; score?: ScoreSnapshot },
  after: { podId?: string; score: ScoreSnapshot },
  at: string,
  version: number,
): PodMessage[] {
  const message = (type: PodMessageType, podId: string, score: ScoreSnapshot): PodMessage => ({
    type,
    id: messageId(domain, version, at, type, podId),
    podId,
    domain,
    name: account?.name,
    priority: score.priority,
    stage: score.intent.stage,
    tier: score.fit.tier,
    reasons: score.explanation,
    at,
    intentReasons: score.intent.explanation.slice(0, MESSAGE_TOPICS),
    previousStage: before.score?.intent.stage,
    topics: score.intent.topics
      .filter((t) => t.topic !== NO_TOPIC && (t.reads > 0 || t.people > 0))
      .slice(0, MESSAGE_TOPICS)
      .map((t) => ({ topic: t.topic, reads: t.reads, people: t.people })),
    ...(account?.owner ? { owner: account.owner } : {}),
    ...(account?.crmId ? { crmId: account.crmId } : {}),
  });
  if (before.podId === after.podId) {
    if (!after.podId || !before.score) return after.podId ? [message('account.qualified', after.podId, after.score)] : [];
    const moved =
      before.score.intent.stage !== after.score.intent.stage ||
      Math.round(before.score.priority) !== Math.round(after.score.priority);
    return moved ? [message('account.updated', after.podId, after.score)] : [];
  }
  const out: PodMessage[] = [];
  if (before.podId && before.score) out.push(message('account.dequalified', before.podId, after.score));
  if (after.podId) out.push(message('account.qualified', after.podId, after.score));
  return out;
}

/** A short, opaque, deterministic id: one save of one account makes at most one message per type and pod. */
function messageId(domain: string, version: number, at: string, type: PodMessageType, podId: string): string {
  return createHash('sha256').update([domain, version, at, type, podId].join('\n')).digest('base64url').slice(0, 22);
}

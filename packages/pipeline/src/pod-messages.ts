import type { ScoreSnapshot } from '@intent/store';

export type PodMessageType = 'account.qualified' | 'account.updated' | 'account.dequalified';

export interface PodMessage {
  type: PodMessageType;
  podId: string;
  domain: string;
  name?: string;
  priority: number;
  stage: string;
  tier: string;
  reasons: string[];
  at: string;
}

/**
 * The messages one score change sends to pod queues: entering a queue is `qualified`, leaving
 * it `dequalified`, and a change of stage or of whole-point priority while in it `updated`.
 * Anything smaller is no real change and sends nothing.
 */
export function podMessagesFor(
  domain: string,
  name: string | undefined,
  before: { podId?: string; score?: ScoreSnapshot },
  after: { podId?: string; score: ScoreSnapshot },
  at: string,
): PodMessage[] {
  const message = (type: PodMessageType, podId: string, score: ScoreSnapshot): PodMessage => ({
    type,
    podId,
    domain,
    name,
    priority: score.priority,
    stage: score.intent.stage,
    tier: score.fit.tier,
    reasons: score.explanation,
    at,
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

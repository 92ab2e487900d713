import { createHash } from 'node:crypto';
import type { Destination, DestinationEventType } from '@intent/config';
import type { DeliveryEvent } from '@intent/store';
import type { AudienceMessage } from './audiences';
import type { PodMessage } from './pod-messages';

/**
 * A change the pipeline made, as destinations get it: pod messages (an account entering,
 * moving in or leaving a pod's queue) and audience joins and leaves. `facets` are what a
 * destination's filter looks at; `data` is what it is sent.
 */
export interface ChangeEvent extends DeliveryEvent {
  type: DestinationEventType;
  facets: { podId?: string; tier?: string; stage?: string; previousStage?: string; owner?: string; audienceId?: string };
}

/**
 * Within one account and one instant, the order changes are delivered in: leaving a pod before
 * entering another, a re-score's update after, an audience leave before a join.
 */
const RANK: Record<DestinationEventType, number> = {
  'account.dequalified': 0,
  'account.qualified': 1,
  'account.updated': 2,
  'audience.left': 3,
  'audience.joined': 4,
};

/** The API path of an account: where a receiver reads its full explanation. */
const accountPath = (domain: string) => `/v1/accounts/${encodeURIComponent(domain)}`;

export function podChange(m: PodMessage): ChangeEvent {
  return {
    id: m.id,
    type: m.type,
    domain: m.domain,
    at: m.at,
    rank: RANK[m.type],
    data: {
      domain: m.domain,
      ...(m.name ? { name: m.name } : {}),
      podId: m.podId,
      priority: m.priority,
      stage: m.stage,
      tier: m.tier,
      reasons: m.reasons,
      ...(m.intentReasons?.length ? { intentReasons: m.intentReasons } : {}),
      ...(m.previousStage ? { previousStage: m.previousStage } : {}),
      ...(m.topics ? { topics: m.topics } : {}),
      ...(m.owner ? { owner: m.owner } : {}),
      ...(m.crmId ? { crmId: m.crmId } : {}),
      links: { account: accountPath(m.domain) },
    },
    facets: { podId: m.podId, tier: m.tier, stage: m.stage, previousStage: m.previousStage, owner: m.owner },
  };
}

export function audienceChange(m: AudienceMessage): ChangeEvent {
  const type = m.type === 'audience.member_added' ? 'audience.joined' : 'audience.left';
  return {
    // Deterministic, like a pod message's: the same change sent twice has one id.
    id: createHash('sha256').update([m.audienceId, m.domain, type, m.at].join('\n')).digest('base64url').slice(0, 22),
    type,
    domain: m.domain,
    at: m.at,
    rank: RANK[type],
    data: { audienceId: m.audienceId, domain: m.domain, name: m.name, links: { account: accountPath(m.domain) } },
    facets: { audienceId: m.audienceId },
  };
}

/**
 * What is worth a rep's attention in Slack: an account newly sales-ready in a pod (it entered
 * the queue), or one that just became a hand-raiser. Every other re-score stays quiet.
 */
function isSlackAlert(event: Pick<ChangeEvent, 'type' | 'facets'>): boolean {
  if (event.type === 'account.qualified') return true;
  return event.type === 'account.updated' && event.facets.stage === 'hand_raiser' && event.facets.previousStage !== 'hand_raiser';
}

/** The incoming webhook a Slack alert goes to: the owner's when mapped, else the pod channel's. */
export function slackChannelFor(
  destination: Extract<Destination, { type: 'slack' }>,
  owner: string | undefined,
): string | undefined {
  return (owner !== undefined ? destination.byOwner?.[owner] : undefined) ?? destination.webhookUrl;
}

/**
 * True when the destination wants the change: its type is among the destination's events, and
 * every non-empty list of the filter that applies to it holds its value (pods, tiers and stages
 * apply to account changes, audiences to audience changes).
 */
export function wants(destination: Destination, event: ChangeEvent): boolean {
  if (!destination.events.includes(event.type)) return false;
  if (destination.type === 'slack' && !(isSlackAlert(event) && slackChannelFor(destination, event.facets.owner))) return false;
  const { filter } = destination;
  const holds = (list: string[], value: string | undefined) => list.length === 0 || (value !== undefined && list.includes(value));
  if (event.type.startsWith('account.')) {
    return (
      holds(filter.pods, event.facets.podId) && holds(filter.tiers, event.facets.tier) && holds(filter.stages, event.facets.stage)
    );
  }
  return holds(filter.audiences, event.facets.audienceId);
}

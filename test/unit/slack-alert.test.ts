import { DestinationsSection } from '@intent/config';
import type { KnownBlock } from '@slack/types';
import type { IncomingWebhookSendArguments } from '@slack/webhook';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { podChange, wants } from '../../packages/pipeline/src/destination-events';
import { slackAlert } from '../../packages/pipeline/src/slack';

const message = (over: Record<string, unknown> = {}) =>
  podChange({
    type: 'account.qualified',
    id: 'm1',
    podId: 'na-enterprise',
    domain: 'acme.example',
    name: 'Acme Corp',
    priority: 81.6,
    stage: 'hand_raiser',
    previousStage: 'engaged',
    tier: 'A',
    reasons: ['Requested a demo 2 hours ago', 'Read 5 data-warehousing articles this week'],
    topics: [{ topic: 'data-warehousing', reads: 5, people: 3 }],
    owner: 'dana@seller.example',
    at: '2026-03-02T09:00:00.000Z',
    ...over,
  });

const slack = (extra: Record<string, unknown> = {}) =>
  DestinationsSection.parse({
    destinations: [
      {
        id: 's',
        type: 'slack',
        events: ['account.qualified', 'account.updated'],
        webhookUrl: 'https://hooks.slack.example/T/B/x',
        ...extra,
      },
    ],
  }).destinations[0] as Parameters<typeof wants>[0];

describe('Slack alerts', () => {
  it('builds a Block Kit message (typed by @slack/types) whose text names the account, the reason and the pod', () => {
    const alert = slackAlert(message(), 'https://api.intent.example/');
    expectTypeOf(alert.blocks).toEqualTypeOf<KnownBlock[]>();
    expectTypeOf(alert).toExtend<IncomingWebhookSendArguments>();
    expect(alert.text).toContain('Acme Corp');
    expect(alert.text).toContain('Requested a demo 2 hours ago');
    expect(alert.text).toContain('na-enterprise');
    const json = JSON.stringify(alert.blocks);
    expect(json).toContain('engaged → hand_raiser');
    expect(json).toContain('data-warehousing: 3 people, 5 reads');
    expect(json).toContain('https://api.intent.example/v1/accounts/acme.example');
    expect(json).toContain('dana@seller.example');
  });

  it('says why now with the intent reasons when the change carries them, not the routing sentences', () => {
    const alert = slackAlert(
      message({
        reasons: ['Sales-ready and routed to pod na-enterprise.', 'Requested a demo'],
        intentReasons: ['Requested a demo'],
      }),
    );
    expect(alert.text).toContain('Requested a demo');
    expect(JSON.stringify(alert.blocks)).not.toContain('Sales-ready and routed');
    expect(JSON.stringify(alert.blocks)).toContain('GET /v1/accounts/acme.example');
  });

  it('alerts on a new sales-ready account and a new hand-raiser only, not on every re-score', () => {
    const d = slack();
    expect(wants(d, message())).toBe(true);
    expect(wants(d, message({ type: 'account.updated', stage: 'hand_raiser', previousStage: 'surging' }))).toBe(true);
    expect(wants(d, message({ type: 'account.updated', stage: 'hand_raiser', previousStage: 'hand_raiser' }))).toBe(false);
    expect(wants(d, message({ type: 'account.updated', stage: 'surging', previousStage: 'engaged' }))).toBe(false);
  });

  it("routes to the owner's webhook when mapped, else the pod channel's; without either, not at all", () => {
    const byOwner = slack({ webhookUrl: undefined, byOwner: { 'dana@seller.example': 'https://hooks.slack.example/T/B/dana' } });
    expect(wants(byOwner, message())).toBe(true);
    expect(wants(byOwner, message({ owner: 'someone@else.example' }))).toBe(false);
    expect(wants(slack(), message({ owner: 'someone@else.example' }))).toBe(true);
  });
});

import { DestinationsSection } from '@intent/config';
import type { ScoreSnapshot } from '@intent/qualify';
import { describe, expect, it } from 'vitest';
import { audienceChange, podChange, wants } from '../../packages/pipeline/src/destination-events';
import { podMessagesFor } from '../../packages/pipeline/src/pod-messages';

const topic = (id: string, reads: number, people: number) => ({
  topic: id,
  score: 50,
  velocity: 1,
  stage: 'surging' as const,
  reads,
  people,
  lastDay: '2026-03-02',
  daily: [],
});
/** The fields of a score the messages read; the rest is not looked at. */
const score = (stage: string, priority: number): ScoreSnapshot =>
  ({
    priority,
    salesReady: true,
    readiness: [],
    explanation: ['Sales-ready and routed to pod emea.', 'Requested a demo'],
    scoredAt: '2026-03-02T09:00:00.000Z',
    fit: { tier: 'A', score: 90 },
    intent: {
      stage,
      score: 70,
      topics: [
        topic('-', 9, 9),
        topic('warehousing', 5, 3),
        topic('cost', 2, 1),
        topic('idle', 0, 0),
        topic('ml', 1, 1),
        topic('bi', 1, 1),
      ],
      explanation: ['Requested a demo'],
    },
  }) as unknown as ScoreSnapshot;

describe('changes for destinations', () => {
  it('carry the previous stage, the strongest real topics, why now, the owner and the CRM id', () => {
    const [m] = podMessagesFor(
      'acme.example',
      { name: 'Acme', owner: 'dana@seller.example', crmId: '9001' },
      { podId: 'emea', score: score('surging', 60) },
      { podId: 'emea', score: score('hand_raiser', 80) },
      '2026-03-02T09:00:00.000Z',
      7,
    );
    expect(m).toMatchObject({
      type: 'account.updated',
      previousStage: 'surging',
      stage: 'hand_raiser',
      intentReasons: ['Requested a demo'],
      topics: [
        { topic: 'warehousing', reads: 5, people: 3 },
        { topic: 'cost', reads: 2, people: 1 },
        { topic: 'ml', reads: 1, people: 1 },
      ],
      owner: 'dana@seller.example',
      crmId: '9001',
    });
  });

  it('name each change the same way every time it is made into an event', () => {
    const joined = {
      type: 'audience.member_added' as const,
      audienceId: 'hot',
      domain: 'acme.example',
      name: 'Acme',
      at: '2026-03-02T09:00:00.000Z',
    };
    expect(audienceChange(joined).id).toBe(audienceChange({ ...joined }).id);
    expect(audienceChange(joined).id).not.toBe(audienceChange({ ...joined, type: 'audience.member_removed' }).id);
    expect(audienceChange({ ...joined, type: 'audience.member_removed' })).toMatchObject({ type: 'audience.left', rank: 3 });
  });

  it('go to a destination only for its events and through each non-empty list of its filter', () => {
    const [d] = DestinationsSection.parse({
      destinations: [
        {
          id: 'w',
          type: 'webhook',
          url: 'https://r.example',
          secret: `whsec_${'A'.repeat(32)}`,
          events: ['account.qualified', 'audience.joined'],
          filter: { pods: ['emea'], stages: ['hand_raiser'], audiences: ['hot'] },
        },
      ],
    }).destinations;
    if (!d) throw new Error('one destination expected');
    const change = (over: Record<string, unknown>) =>
      podChange({
        type: 'account.qualified',
        id: 'x',
        podId: 'emea',
        domain: 'a.example',
        priority: 1,
        stage: 'hand_raiser',
        tier: 'C',
        reasons: [],
        at: 'x',
        ...over,
      });
    expect(wants(d, change({}))).toBe(true);
    expect(wants(d, change({ podId: 'na' }))).toBe(false);
    expect(wants(d, change({ stage: 'surging' }))).toBe(false);
    expect(wants(d, change({ type: 'account.updated' }))).toBe(false);
    const audience = (audienceId: string) =>
      audienceChange({ type: 'audience.member_added', audienceId, domain: 'a.example', name: 'A', at: 'x' });
    expect(wants(d, audience('hot'))).toBe(true);
    expect(wants(d, audience('cold'))).toBe(false);
  });
});

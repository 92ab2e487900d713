import { DestinationsSection } from '@intent/config';
import type { DeliveryRecord } from '@intent/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podChange } from '../../packages/pipeline/src/destination-events';
import { sendHubspot } from '../../packages/pipeline/src/hubspot';
import { sendSlack } from '../../packages/pipeline/src/slack';
import { sendWebhook } from '../../packages/pipeline/src/webhook';
import { type DemoReceivers, describeReceived, startDemoReceivers } from '../../scripts/demo/receivers';

/** `npm run demo`'s local receivers: valid destinations pointing at them, and a summary of what each got. */
describe('demo destination receivers', () => {
  let receivers: DemoReceivers;
  beforeAll(async () => {
    receivers = await startDemoReceivers('http://127.0.0.1:3000');
  });
  afterAll(() => receivers.close());

  it('receives a signed webhook, a Slack alert and a HubSpot batch update, and says so', async () => {
    const [webhook, slack, hubspot] = DestinationsSection.parse(receivers.destinations).destinations;
    const event: DeliveryRecord = {
      ...podChange({
        type: 'account.qualified',
        id: 'demo-1',
        podId: 'emea',
        domain: 'acme.example',
        name: 'Acme',
        priority: 64,
        stage: 'hand_raiser',
        tier: 'B',
        reasons: ['Requested a demo'],
        at: new Date().toISOString(),
      }),
      destinationId: 'x',
      status: 'pending',
      attempts: 0,
      recordedAt: new Date().toISOString(),
      position: 'E#acme.example#x',
    };
    if (webhook?.type !== 'webhook' || slack?.type !== 'slack' || hubspot?.type !== 'hubspot')
      throw new Error('one of each type expected');
    expect(await sendWebhook(webhook, event)).toMatchObject({ status: 204 });
    expect(await sendSlack(slack, event)).toEqual({ status: 200 });
    expect(await sendHubspot(hubspot, event)).toEqual({ status: 200 });
    const lines = describeReceived(receivers.received).join('\n');
    expect(lines).toContain('webhook  1 events (account.qualified 1); signatures verified with standardwebhooks: 1, refused: 0');
    expect(lines).toContain(
      'slack    1 alerts, e.g. "New sales-ready account in pod emea: Acme (acme.example). Requested a demo"',
    );
    expect(lines).toContain('hubspot  1 companies updated in 1 batch calls; properties created: intent_stage');
  });
});

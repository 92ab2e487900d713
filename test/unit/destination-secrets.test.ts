import { DestinationsSection, maskDestinationSecrets, restoreMaskedSecrets, SEALED_PREFIX } from '@intent/config';
import { SecretBox, sealDestinationSecrets } from '@intent/pipeline';
import { describe, expect, it } from 'vitest';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:intent/destinations/slack-sdr-AbCdEf';
const section = (webhookSecret: string, slackUrl: string) =>
  DestinationsSection.parse({
    destinations: [
      { id: 'crm-hook', type: 'webhook', events: ['account.qualified'], url: 'https://r.example/h', secret: webhookSecret },
      { id: 'sdr-slack', type: 'slack', events: ['account.qualified'], webhookUrl: slackUrl },
    ],
  });

describe('destination secrets', () => {
  const box = new SecretBox('deployment-hash-secret');
  const stored = sealDestinationSecrets(section(SECRET, ARN), box).sealed;

  it('seals plain secrets, keeps Secrets Manager references, and opens only under the same deployment secret', () => {
    const [hook, slack] = stored.destinations;
    expect(hook?.type === 'webhook' && hook.secret.startsWith(SEALED_PREFIX)).toBe(true);
    expect(slack?.type === 'slack' && slack.webhookUrl).toBe(ARN);
    if (hook?.type !== 'webhook') throw new Error('webhook expected');
    expect(box.open(hook.secret)).toBe(SECRET);
    expect(() => new SecretBox('another deployment').open(hook.secret)).toThrow();
  });

  it('never shows a sealed secret, and a PUT of what GET showed keeps the stored one', () => {
    const shown = maskDestinationSecrets(stored);
    expect(JSON.stringify(shown)).not.toContain(SEALED_PREFIX);
    expect(JSON.stringify(shown)).not.toContain(SECRET);
    const body = restoreMaskedSecrets(JSON.parse(JSON.stringify(shown)), stored);
    const again = sealDestinationSecrets(DestinationsSection.parse(body), box);
    expect(again.foreign).toEqual([]);
    expect(again.sealed).toEqual(stored);
  });

  it('refuses a mask of another destination and a sealed value this deployment did not make', () => {
    const shown = maskDestinationSecrets(stored);
    const renamed = { destinations: shown.destinations.map((d) => ({ ...d, id: `${d.id}-2` })) };
    const parsed = DestinationsSection.safeParse(restoreMaskedSecrets(renamed, stored));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['destinations.0.secret']);
    const planted = section(new SecretBox('another deployment').seal(SECRET), ARN);
    expect(sealDestinationSecrets(planted, box).foreign).toEqual([{ index: 0, path: ['secret'] }]);
    // One this deployment sealed (an earlier revision's, being restored) is kept as it is.
    const restored = section(box.seal(SECRET), ARN);
    expect(sealDestinationSecrets(restored, box)).toEqual({ sealed: restored, foreign: [] });
  });

  it('refuses a webhook secret outside the Standard Webhooks form', () => {
    const parsed = DestinationsSection.safeParse({
      destinations: [{ id: 'h', type: 'webhook', events: ['account.qualified'], url: 'https://r.example', secret: 'hunter2' }],
    });
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['destinations.0.secret']);
  });
});

import type { WebhookDestination } from '@intent/config';
import { destinationTransport, refusedLiteral, SecretBox } from '@intent/pipeline';
import type { DeliveryRecord } from '@intent/store';
import { describe, expect, it } from 'vitest';
import { refusedDestination } from '../../packages/pipeline/src/destination-address';

describe('where a destination may send', () => {
  it('refuses this machine and private, link-local, reserved addresses as written, in any spelling', () => {
    for (const host of [
      'localhost',
      'api.localhost',
      '127.0.0.1',
      '[::1]',
      '10.0.0.1',
      '192.168.1.9',
      '0.0.0.0',
      '100.64.0.1',
      '[fc00::1]',
    ])
      expect(refusedLiteral(host), host).toBeDefined();
    // The cloud's metadata endpoint, however it is written: URLs normalise the decimal form.
    expect(refusedLiteral(new URL('http://2852039166/').hostname)).toMatch(/linkLocal/);
    expect(refusedLiteral(new URL('http://169.254.169.254/latest/meta-data/').hostname)).toMatch(/linkLocal/);
    for (const host of ['hooks.example.com', '8.8.8.8', '[2001:4860:4860::8888]'])
      expect(refusedLiteral(host), host).toBeUndefined();
  });

  it('refuses a name that resolves to this machine', async () => {
    expect(await refusedDestination('http://localhost:9/x')).toMatch(/this machine/);
    expect(await refusedDestination('http://127.0.0.1:9/x')).toMatch(/loopback/);
    // Unresolvable now: not refused here (the send fails and is retried like any network error).
    expect(await refusedDestination('https://no-such-host.invalid/hook')).toBeUndefined();
  });

  it('has the transport fail an event for good, unsent, when the address is refused', async () => {
    const box = new SecretBox('s'.repeat(64));
    const destination: WebhookDestination = {
      id: 'internal',
      type: 'webhook',
      url: 'http://127.0.0.1:9/never',
      secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}`,
      events: ['account.qualified'],
      filter: { pods: [], tiers: [], stages: [], audiences: [] },
    };
    const event = { id: 'e1', type: 'account.qualified', domain: 'a.example', at: '2026-11-30T10:00:00Z', rank: 0, data: {} };
    const transport = destinationTransport(
      async () => box,
      async () => '',
      false,
    );
    const attempt = await transport(destination, event as DeliveryRecord);
    expect(attempt).toMatchObject({ status: 0, refused: true });
    expect(attempt.error).toMatch(/not sent: 127\.0\.0\.1 is a loopback address/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchesInOrder, sendLimited } from '../../scripts/demo/client';
import { generateDemo } from '../../scripts/demo/generate';
import { startTestStack, stopTestStack, type TestStack } from './harness';

/** A smaller demo month, replayed in full: the second pass must change no score at all. */
describe('replaying the whole demo month', () => {
  let stack: TestStack;
  const demo = generateDemo({ seed: 11, endDate: new Date(), accounts: 300, scale: 0.15 });

  beforeAll(async () => {
    stack = await startTestStack();
    for (const [section, value] of Object.entries(demo.config)) {
      const res = await stack.api(`/v1/config/${section}`, {
        method: 'PUT',
        key: stack.secrets.adminKey,
        body: JSON.stringify(value),
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(200);
    }
    await stack.api('/v1/accounts', {
      method: 'PUT',
      key: stack.secrets.adminKey,
      body: JSON.stringify({ accounts: demo.accounts }),
      headers: { 'content-type': 'application/json' },
    });
  });
  afterAll(() => stopTestStack(stack));

  async function pass() {
    let accepted = 0;
    await sendLimited(batchesInOrder(demo.events, 100), 4, async (batch) => {
      // From one address, so over the address limit at times: `collect` waits as a 429 asks.
      const res = await stack.collect(batch.items, batch.writeKey);
      accepted += res.body.accepted;
    });
    await stack.drain(120_000);
    return accepted;
  }

  /** Every scored account's score as a person sees it (the time it was computed aside). */
  async function scores() {
    const domains = (await stack.store.accounts.liveDomains()).sort();
    const records = await Promise.all(domains.map((d) => stack.store.accounts.get(d, true)));
    return Object.fromEntries(records.map((r) => [r?.domain, { ...r?.score, scoredAt: undefined }]));
  }

  it('leaves every score identical after the second pass', async () => {
    const accepted = await pass();
    expect(accepted).toBeGreaterThan(2000);
    const first = await scores();
    expect(Object.keys(first).length).toBeGreaterThan(20);
    expect(Object.values(first).some((s) => (s as { salesReady?: boolean }).salesReady)).toBe(true);

    await pass();
    expect(await scores()).toEqual(first);
  }, 240_000);
});

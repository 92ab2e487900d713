import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectAndDrain, configure, consumePodQueue, queueDomains, send, upsert, visitEvents } from './accounts-helpers';
import { startTestStack, stopTestStack, type TestStack } from './harness';

/**
 * SDR pods through the API: claims (lease, conflict, renewal, release) and feedback (holds,
 * queue exits, messages, pod-scoped keys). No ICP (every account is tier B); pods `na` (US)
 * and `default` (everyone else, the pod with an SQS queue), configured before any event.
 */
describe('SDR pods: claims and feedback', () => {
  let stack: TestStack;
  let sdrDefault: string;
  let sdrNa: string;
  /** Personal keys of two reps of pod `default`: each claims in its own name. */
  let alice: string;
  let bob: string;
  const claimPath = (podId: string, domain: string) => `/v1/pods/${podId}/queue/${domain}/claim`;
  const queueEntry = async (domain: string) => {
    const res = await stack.api('/v1/pods/default/queue?limit=100', { key: stack.secrets.sdrKey });
    return res.body.accounts.find((a: { domain: string }) => a.domain === domain);
  };
  const handRaiser = (domain: string, person = 'rep') => collectAndDrain(stack, visitEvents(domain, person, ['pricing_view']));

  beforeAll(async () => {
    stack = await startTestStack();
    await configure(stack, 'pods', {
      pods: [
        { id: 'na', name: 'North America', match: { countries: ['US'] } },
        { id: 'default', name: 'Everyone else', match: {} },
      ],
    });
    const keys = await Promise.all(
      ['sdr:default', 'sdr:na'].map((scope) => send(stack, 'POST', '/v1/keys', { name: scope, scopes: [scope] })),
    );
    [sdrDefault, sdrNa] = keys.map((k) => k.body.key as string) as [string, string];
    const reps = await Promise.all(
      ['alice', 'bob'].map((name) => send(stack, 'POST', '/v1/keys', { name, scopes: ['sdr:default'] })),
    );
    [alice, bob] = reps.map((k) => k.body.key as string) as [string, string];
  });
  afterAll(() => stopTestStack(stack));

  it('claims an account for sla.claimHours in the key’s name, renews it for the same key and answers 409 to another', async () => {
    await handRaiser('acme.example');
    const first = await send(stack, 'POST', claimPath('default', 'acme.example'), {}, alice);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ domain: 'acme.example', claimedBy: 'alice' });
    const hours = (Date.parse(first.body.claimExpiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    expect(await queueEntry('acme.example')).toMatchObject({ claimedBy: 'alice', claimExpiresAt: first.body.claimExpiresAt });

    const other = await send(stack, 'POST', claimPath('default', 'acme.example'), {}, bob);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('claim_conflict');

    await new Promise((r) => setTimeout(r, 20));
    const renewed = await send(stack, 'POST', claimPath('default', 'acme.example'), { sdr: 'alice' }, alice);
    expect(renewed.status).toBe(200);
    expect(Date.parse(renewed.body.claimExpiresAt)).toBeGreaterThan(Date.parse(first.body.claimExpiresAt));
  });

  it('answers 403 sdr_mismatch to a personal key that names another SDR, and leaves the claim alone', async () => {
    const forged = await send(stack, 'POST', claimPath('default', 'acme.example'), { sdr: 'alice' }, bob);
    expect(forged.status).toBe(403);
    expect(forged.body.error).toMatchObject({ code: 'sdr_mismatch', message: expect.stringContaining('belongs to bob') });
    const forgedRelease = await send(stack, 'DELETE', `${claimPath('default', 'acme.example')}?sdr=alice`, undefined, bob);
    expect(forgedRelease.status).toBe(403);
    expect(forgedRelease.body.error.code).toBe('sdr_mismatch');
    expect(await queueEntry('acme.example')).toMatchObject({ claimedBy: 'alice' });
  });

  it('records feedback that names no SDR, sent with a personal key, as that key’s SDR’s', async () => {
    const given = await send(stack, 'POST', '/v1/accounts/acme.example/feedback', { outcome: 'meeting' }, alice);
    expect(given.status).toBe(201);
    expect(given.body).toMatchObject({ outcome: 'meeting', sdr: 'alice' });
  });

  it('answers 404 to a claim on an account that is not in that pod’s queue, 400 when an admin names no SDR, 403 for another pod’s key', async () => {
    await upsert(stack, [{ domain: 'cold.example', country: 'GB' }]);
    expect((await send(stack, 'POST', claimPath('na', 'acme.example'), {}, sdrNa)).status).toBe(404);
    expect((await send(stack, 'POST', claimPath('default', 'cold.example'), {}, alice)).status).toBe(404);
    expect((await send(stack, 'POST', claimPath('default', 'never.example'), {}, alice)).status).toBe(404);
    const noSdr = await send(stack, 'POST', claimPath('default', 'acme.example'), {});
    expect(noSdr.status).toBe(400);
    expect(noSdr.body.error.details[0].path).toBe('sdr');
    expect((await send(stack, 'POST', claimPath('default', 'acme.example'), {}, sdrNa)).status).toBe(403);
  });

  it('answers 404 naming the pods for a pod the configuration does not name, where a mistyped id would look like a quiet queue', async () => {
    const typo = await stack.api('/v1/pods/defualt/queue', { key: stack.secrets.adminKey });
    expect(typo.status).toBe(404);
    expect(typo.body.error).toMatchObject({ code: 'not_found', message: 'no pod defualt; pods are na, default' });
    expect((await stack.api('/v1/pods/na/queue', { key: stack.secrets.adminKey })).status).toBe(200);
  });

  it('releases a claim for the key that holds it or an admin only (204), idempotently', async () => {
    const byBob = await send(stack, 'DELETE', claimPath('default', 'acme.example'), undefined, bob);
    expect(byBob.status).toBe(403);
    expect(byBob.body.error).toMatchObject({ code: 'claim_not_yours', message: expect.stringContaining('claimed by alice') });
    expect((await queueEntry('acme.example')).claimedBy).toBe('alice');
    expect((await send(stack, 'DELETE', claimPath('default', 'acme.example'), undefined, alice)).status).toBe(204);
    expect(await queueEntry('acme.example')).toMatchObject({ claimedBy: null, claimExpiresAt: null });
    expect((await send(stack, 'DELETE', claimPath('default', 'acme.example'), { sdr: 'alice' }, alice)).status).toBe(204);

    expect((await send(stack, 'POST', claimPath('default', 'acme.example'), {}, bob)).status).toBe(200);
    expect((await send(stack, 'DELETE', claimPath('default', 'acme.example'))).status).toBe(204);
    expect((await queueEntry('acme.example')).claimedBy).toBeNull();
  });

  it('takes a rejected account out of the queue, ends its claim, sends account.dequalified and holds it through new intent', async () => {
    await handRaiser('reject.example');
    await send(stack, 'POST', claimPath('default', 'reject.example'), { sdr: 'dave' });
    await consumePodQueue(stack, 'default');

    const res = await send(
      stack,
      'POST',
      '/v1/accounts/reject.example/feedback',
      { outcome: 'rejected', reason: 'a student project', sdr: 'dave' },
      sdrDefault,
    );
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      domain: 'reject.example',
      outcome: 'rejected',
      reason: 'a student project',
      bant: null,
      sdr: 'dave',
      podId: 'default',
      at: expect.any(String),
    });
    expect(await queueDomains(stack, 'default')).not.toContain('reject.example');
    expect(await consumePodQueue(stack, 'default')).toEqual([
      expect.objectContaining({ type: 'account.dequalified', domain: 'reject.example', podId: 'default' }),
    ]);
    const account = (await send(stack, 'GET', '/v1/accounts/reject.example')).body;
    expect(account).toMatchObject({ salesReady: false, claimedBy: null, outcome: 'rejected' });
    expect(account.explanation.join(' ')).toMatch(/Sales rejected the account on .*cool-off/);

    await collectAndDrain(stack, visitEvents('reject.example', 'again', ['demo_request']));
    expect(await queueDomains(stack, 'default')).not.toContain('reject.example');
  });

  it('keeps an account queued on accepted and BANT feedback, and out for good once it is an opportunity', async () => {
    await handRaiser('deal.example');
    const bant = { budget: true, authority: 'VP Sales signs', need: true, timeline: 'Q3' };
    const qualified = await send(
      stack,
      'POST',
      '/v1/accounts/deal.example/feedback',
      { outcome: 'bant_qualified', bant, sdr: 'erin' },
      sdrDefault,
    );
    expect(qualified.status).toBe(201);
    expect(qualified.body).toMatchObject({ outcome: 'bant_qualified', bant, podId: 'default' });
    expect(await queueDomains(stack, 'default')).toContain('deal.example');

    await send(stack, 'POST', claimPath('default', 'deal.example'), { sdr: 'erin' });
    expect((await send(stack, 'POST', '/v1/accounts/deal.example/feedback', { outcome: 'opportunity' })).status).toBe(201);
    expect(await queueDomains(stack, 'default')).not.toContain('deal.example');
    // A late "accepted" never puts an account that sales owns back in a queue.
    expect((await send(stack, 'POST', '/v1/accounts/deal.example/feedback', { outcome: 'accepted' })).status).toBe(201);
    const account = (await send(stack, 'GET', '/v1/accounts/deal.example')).body;
    expect(account).toMatchObject({ salesReady: false, outcome: 'opportunity', claimedBy: null });
  });

  it('lets an SDR key give feedback only on its own pod’s accounts (403 otherwise), an admin on any', async () => {
    await handRaiser('mine.example');
    const wrongPod = await send(stack, 'POST', '/v1/accounts/mine.example/feedback', { outcome: 'accepted' }, sdrNa);
    expect(wrongPod.status).toBe(403);
    expect(wrongPod.body.error.code).toBe('insufficient_scope');
    expect(
      (await send(stack, 'POST', '/v1/accounts/mine.example/feedback', { outcome: 'accepted' }, stack.secrets.marketingKey))
        .status,
    ).toBe(403);
    expect((await send(stack, 'POST', '/v1/accounts/mine.example/feedback', { outcome: 'accepted' }, sdrDefault)).status).toBe(
      201,
    );
    expect((await send(stack, 'POST', '/v1/accounts/mine.example/feedback', { outcome: 'meeting' })).status).toBe(201);
  });

  it('validates feedback with field paths, and answers 404 for an account never seen', async () => {
    const badOutcome = await send(stack, 'POST', '/v1/accounts/mine.example/feedback', { outcome: 'maybe' }, sdrDefault);
    expect(badOutcome.status).toBe(400);
    expect(badOutcome.body.error.details[0].path).toBe('outcome');
    const badBant = await send(
      stack,
      'POST',
      '/v1/accounts/mine.example/feedback',
      { outcome: 'accepted', bant: { budget: 5 } },
      sdrDefault,
    );
    expect(badBant.status).toBe(400);
    expect(badBant.body.error.details[0].path).toBe('bant.budget');
    expect((await send(stack, 'POST', '/v1/accounts/nobody.example/feedback', { outcome: 'accepted' })).status).toBe(404);
  });

  it('answers an SDR key the same for an account never seen as for another pod’s: it cannot probe which domains exist', async () => {
    await handRaiser('theirs.example');
    const otherPods = await send(stack, 'POST', '/v1/accounts/theirs.example/feedback', { outcome: 'accepted' }, sdrNa);
    const unknown = await send(stack, 'POST', '/v1/accounts/nobody.example/feedback', { outcome: 'accepted' }, sdrNa);
    expect(otherPods.status).toBe(403);
    expect(unknown).toEqual(otherPods);
  });

  it('keeps a claimed account queued after it stops being sales-ready, and lets it go once released', async () => {
    await collectAndDrain(stack, [
      ...visitEvents('kept.example', 'kim', ['pricing_view']),
      ...visitEvents('gone.example', 'gus', ['pricing_view']),
    ]);
    await send(stack, 'POST', claimPath('default', 'kept.example'), { sdr: 'carol' });
    await consumePodQueue(stack, 'default');

    // Tier B stops being sales-ready: the API re-scores every live account right away.
    await configure(stack, 'icp', { salesReadyTiers: ['A'] });
    const queue = await queueDomains(stack, 'default');
    expect(queue).toContain('kept.example');
    expect(queue).not.toContain('gone.example');
    expect(await queueEntry('kept.example')).toMatchObject({ claimedBy: 'carol' });

    expect((await send(stack, 'DELETE', `${claimPath('default', 'kept.example')}?sdr=carol`)).status).toBe(204);
    expect(await queueDomains(stack, 'default')).not.toContain('kept.example');
    const messages = await consumePodQueue(stack, 'default');
    const left = messages.filter((m) => m.type === 'account.dequalified' && ['gone.example', 'kept.example'].includes(m.domain));
    expect(left.map((m) => m.domain).sort()).toEqual(['gone.example', 'kept.example']);
    await configure(stack, 'icp', {});
  });
});

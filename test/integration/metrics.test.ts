import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectAndDrain, configure, send, visitEvents } from './accounts-helpers';
import { startTestStack, stopTestStack, type TestStack } from './harness';

/**
 * Alignment metrics on a small scripted month compressed into seconds: the SLA is set to
 * 0.003 h (10.8 s, room for a loaded machine) for first touch and feedback, so an untouched push breaches both within
 * the test. Pods: `na` (US) and `default` (everyone else).
 */
const SLA_HOURS = 0.003;

describe('alignment metrics', () => {
  let stack: TestStack;
  let pushedBy: number;
  let sdrDefault: string;
  /** An admin claims in a named SDR's name (a pod's personal keys claim in their own). */
  const claim = (domain: string, sdr: string) => send(stack, 'POST', `/v1/pods/default/queue/${domain}/claim`, { sdr });
  const feedback = (domain: string, outcome: string, key?: string) =>
    send(stack, 'POST', `/v1/accounts/${domain}/feedback`, { outcome }, key);
  const metrics = (query = '', key?: string) => send(stack, 'GET', `/v1/metrics/alignment${query}`, undefined, key);

  beforeAll(async () => {
    stack = await startTestStack();
    await configure(stack, 'sla', {
      firstTouchHours: SLA_HOURS,
      feedbackHours: SLA_HOURS,
      claimHours: 24,
      rejectCooloffDays: 30,
    });
    await configure(stack, 'pods', {
      pods: [
        { id: 'na', name: 'North America', match: { countries: ['US'] } },
        { id: 'default', name: 'Everyone else', match: {} },
      ],
    });
    await send(stack, 'PUT', '/v1/accounts', { accounts: [{ domain: 'usa.example', country: 'US' }] });
    sdrDefault = (await send(stack, 'POST', '/v1/keys', { name: 'default pod', scopes: ['sdr:default'] })).body.key;

    // Four pushes: three to `default`, one to `na`.
    await collectAndDrain(
      stack,
      ['accepted', 'rejected', 'ignored', 'usa'].flatMap((name) => visitEvents(`${name}.example`, 'lead', ['demo_request'])),
    );
    pushedBy = Date.now();
    // Within the SLA: accepted.example claimed then accepted, rejected.example claimed then
    // rejected (claimed twice: only the first claim counts), usa.example accepted without a claim.
    expect((await claim('accepted.example', 'alice')).status).toBe(200);
    expect((await claim('rejected.example', 'bob')).status).toBe(200);
    expect((await claim('rejected.example', 'bob')).status).toBe(200);
    expect((await feedback('accepted.example', 'accepted', sdrDefault)).status).toBe(201);
    expect((await feedback('rejected.example', 'rejected', sdrDefault)).status).toBe(201);
    expect((await feedback('usa.example', 'accepted')).status).toBe(201);
    // Later feedback does not change sales' first verdict on the push.
    expect((await feedback('accepted.example', 'meeting', sdrDefault)).status).toBe(201);
    // ignored.example is never touched: wait until both of its SLA deadlines have passed.
    const waitMs = pushedBy + SLA_HOURS * 3_600_000 + 500 - Date.now();
    if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
  });
  afterAll(() => stopTestStack(stack));

  it('counts pushes, first verdicts, speed to claim, feedback within SLA and breaches, per pod and overall', async () => {
    const res = await metrics('', stack.secrets.marketingKey);
    expect(res.status).toBe(200);
    const { window, overall, pods } = res.body;
    expect(Date.parse(window.to) - Date.parse(window.from)).toBe(30 * 86_400_000);
    expect(pods.default).toMatchObject({
      pushed: 3,
      claimed: 2,
      withFeedback: 2,
      accepted: 1,
      rejected: 1,
      acceptanceRate: 0.3333,
      feedbackWithinSlaRate: 0.6667,
      slaBreaches: 2,
      breaches: { firstTouch: 1, feedback: 1 },
      outcomes: { accepted: 1, rejected: 1 },
    });
    expect(pods.default.medianHoursToClaim).toBeGreaterThanOrEqual(0);
    expect(pods.default.medianHoursToClaim).toBeLessThan(SLA_HOURS);
    expect(pods.na).toMatchObject({
      pushed: 1,
      claimed: 0,
      accepted: 1,
      acceptanceRate: 1,
      medianHoursToClaim: null,
      feedbackWithinSlaRate: 1,
      slaBreaches: 0,
    });
    expect(overall).toMatchObject({ pushed: 4, accepted: 2, acceptanceRate: 0.5, feedbackWithinSlaRate: 0.75, slaBreaches: 2 });
  });

  it('answers a window with no pushes with zeros and nulls, and a bare `to` date as the whole day', async () => {
    const res = await metrics('?from=2020-01-01&to=2020-01-31');
    expect(res.status).toBe(200);
    expect(res.body.window).toEqual({ from: '2020-01-01T00:00:00.000Z', to: '2020-01-31T23:59:59.999Z' });
    expect(res.body.overall).toMatchObject({
      pushed: 0,
      accepted: 0,
      acceptanceRate: null,
      medianHoursToClaim: null,
      feedbackWithinSlaRate: null,
      slaBreaches: 0,
    });
    expect(Object.keys(res.body.pods).sort()).toEqual(['default', 'na']);
    const today = new Date().toISOString().slice(0, 10);
    expect((await metrics(`?from=${today}&to=${today}`)).body.overall.pushed).toBe(4);
  });

  it('rejects bad dates with the field path, and keys without admin or marketing', async () => {
    const bad = await metrics('?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('from');
    const backwards = await metrics('?from=2024-02-01&to=2024-01-01');
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details[0].path).toBe('from');
    expect((await metrics('', sdrDefault)).status).toBe(403);
  });
});

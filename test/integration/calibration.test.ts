import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { calibrationReport } from '@intent/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectAndDrain, configure, send, visitEvents } from './accounts-helpers';
import { startTestStack, stopTestStack, type TestStack } from './harness';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

/**
 * `GET /v1/calibration` on the stand-ins: three hand-raisers pushed to the default pod, feedback
 * joined to their pushes (a win after the account left the queue included), and a report that
 * does not move when the accounts' signals change after their pushes.
 */
describe('calibration', () => {
  let stack: TestStack;
  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const window = `?from=${today}&to=${tomorrow}`;
  const calibration = (query = window, key?: string) => send(stack, 'GET', `/v1/calibration${query}`, undefined, key);
  const feedback = (domain: string, outcome: string, reason?: string) =>
    send(stack, 'POST', `/v1/accounts/${domain}/feedback`, { outcome, ...(reason && { reason }) });

  beforeAll(async () => {
    stack = await startTestStack();
    await configure(stack, 'topics', { topics: [{ id: 'cloud', name: 'Cloud' }] });
    await collectAndDrain(stack, [
      ...visitEvents('won.example', 'ann', ['webinar_registration', 'demo_request'], ['cloud']),
      ...visitEvents('turned-down.example', 'bob', ['demo_request']),
      ...visitEvents('waiting.example', 'cy', ['pricing_view']),
    ]);
    expect((await feedback('won.example', 'accepted')).status).toBe(201);
    expect((await feedback('won.example', 'opportunity')).status).toBe(201);
    // The opportunity took the account out of the queue: the win still joins its push.
    expect((await feedback('won.example', 'closed_won')).status).toBe(201);
    expect((await feedback('turned-down.example', 'rejected', 'No budget this year')).status).toBe(201);
  });
  afterAll(() => stopTestStack(stack));

  it('counts the window’s outcomes and describes each push by what it knew, with every n', async () => {
    const res = await calibration(window, stack.secrets.marketingKey);
    expect(res.status).toBe(200);
    const { window: w, outcomes, features, proposal, backtest, minPushes } = res.body;
    expect(w).toMatchObject({
      from: `${today}T00:00:00.000Z`,
      to: `${tomorrow}T23:59:59.999Z`,
      truncated: false,
      coveredFrom: null,
    });
    expect(outcomes).toEqual({
      pushed: 3,
      withEvidence: 3,
      decided: 2,
      awaitingFeedback: 1,
      accepted: 1,
      acceptanceRate: { value: 0.5, n: 2 },
      rejected: { count: 1, byReason: { 'no budget this year': 1 } },
      meeting: 0,
      bant_qualified: 0,
      opportunity: 1,
      closed_won: 1,
      closed_lost: 0,
    });
    const byName = Object.fromEntries(features.map((f: { feature: string }) => [f.feature, f]));
    expect(byName['signal:demo_request']).toMatchObject({ kind: 'signal', pushes: 2, n: 2, accepted: 1, acceptanceRate: 0.5 });
    expect(byName['signal:demo_request'].lift).toEqual({ value: null, low: null, high: null, verdict: 'insufficient' });
    expect(byName['signal:webinar_registration']).toMatchObject({ pushes: 1, n: 1, winRate: { value: null, n: 1 } });
    expect(byName['topic:cloud']).toMatchObject({ pushes: 1 });
    // Sent with the public write key: the hand-raises are the browser's claims.
    expect(byName['handRaise:browser']).toMatchObject({ pushes: 3, n: 2 });
    expect(byName['stage:hand_raiser']).toMatchObject({ pushes: 3 });
    expect(byName['tier:B']).toMatchObject({ pushes: 3 });
    expect(byName['people:1']).toMatchObject({ pushes: 3 });
    expect(minPushes).toBe(30);
    // Too few pushes to change anything: the proposal is the current configuration.
    expect(proposal.changes).toEqual([]);
    expect(proposal.signals).toEqual((await send(stack, 'GET', '/v1/config/signals')).body);
    expect(proposal.icp).toEqual((await send(stack, 'GET', '/v1/config/icp')).body);
    expect(backtest.split).toMatchObject({ train: 1, test: 1 });
    expect(backtest.current.pushed).toEqual({ value: 1, n: 1 });
  });

  it('does not move when the accounts’ signals change after their pushes', async () => {
    const before = await calibration();
    const accountBefore = (await send(stack, 'GET', '/v1/accounts/waiting.example')).body;
    await collectAndDrain(stack, [
      ...visitEvents('waiting.example', 'dee', ['content_download', 'webinar_registration', 'demo_request'], ['cloud']),
      ...visitEvents('turned-down.example', 'eve', ['webinar_registration', 'content_read'], ['cloud']),
      ...visitEvents('won.example', 'fay', ['content_read', 'content_read', 'content_read'], ['cloud']),
    ]);
    const accountAfter = (await send(stack, 'GET', '/v1/accounts/waiting.example')).body;
    expect(accountAfter.intent.score).toBeGreaterThan(accountBefore.intent.score);
    expect(accountAfter.pod).toBe('default');
    const after = await calibration();
    expect(after.status).toBe(200);
    expect(after.body).toEqual(before.body);
  });

  it('backtests a candidate icp or signals section in its preview, on the decided pushes of the last 90 days', async () => {
    const strict = await send(stack, 'POST', '/v1/config/icp/preview', { salesReadyIntent: 99 });
    expect(strict.status).toBe(200);
    expect(strict.body.backtest.window).toMatchObject({ truncated: false, coveredFrom: null });
    expect(strict.body.backtest.current).toMatchObject({
      pushed: { value: 2, n: 2 },
      acceptanceRate: { value: 0.5, n: 2 },
      acceptedKept: { value: 1, n: 1 },
      rejectedSpared: { value: 0, n: 1 },
    });
    expect(strict.body.backtest.candidate).toMatchObject({
      pushed: { value: 0, n: 2 },
      acceptanceRate: { value: null, n: 0 },
      acceptedKept: { value: 0, n: 1 },
      wonKept: { value: 0, n: 1 },
      rejectedSpared: { value: 1, n: 1 },
    });
    // No hand-raise signal left: nobody is a hand-raiser, so nothing would have been pushed.
    const signals = await send(stack, 'POST', '/v1/config/signals/preview', { handRaise: [] });
    expect(signals.body.backtest.candidate.pushed).toEqual({ value: 0, n: 2 });
    // Routing and timing sections do not decide who is pushed: no backtest.
    expect((await send(stack, 'POST', '/v1/config/sla/preview', {})).body.backtest).toBeUndefined();
  });

  it('refuses bad windows with the field path, and keys without admin or marketing', async () => {
    const bad = await calibration('?from=last-week');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('from');
    const long = await calibration('?from=2024-01-01&to=2025-06-01');
    expect(long.status).toBe(400);
    expect(long.body.error).toMatchObject({ code: 'window_too_long', details: [{ path: 'from' }] });
    expect((await calibration('?from=2025-02-01&to=2025-01-01')).status).toBe(400);
    expect((await calibration(window, stack.secrets.sdrKey)).status).toBe(403);
    const empty = await calibration('?from=2020-01-01&to=2020-01-31');
    expect(empty.status).toBe(200);
    expect(empty.body.outcomes).toMatchObject({ pushed: 0, acceptanceRate: { value: null, n: 0 } });
  });

  it('prints the same report with npm run calibrate, and a reading of it', async () => {
    const { INTENT_ADMIN_KEY: _k, INTENT_URL: _u, ...env } = process.env;
    const { stdout, stderr } = await run(
      resolve(ROOT, 'node_modules/.bin/tsx'),
      ['scripts/calibrate.ts', '--from', today, '--to', tomorrow],
      { cwd: ROOT, env: { ...env, PORT: new URL(stack.baseUrl).port, INTENT_DATA_DIR: stack.dataDir } },
    );
    expect(JSON.parse(stdout)).toEqual((await calibration()).body);
    expect(stderr).toMatch(/3 pushes, 2 with feedback: 1 accepted \(50\.0%\), 1 rejected/);
    expect(stderr).toMatch(/signal:demo_request .* lift insufficient/);
  });

  it('reads at most the newest maxPushes of the window, and says from when it covers', async () => {
    await collectAndDrain(stack, visitEvents('late.example', 'gus', ['demo_request']));
    const config = await stack.store.config.getAll(true);
    const [from, to] = [new Date(`${today}T00:00:00Z`), new Date(`${tomorrow}T23:59:59.999Z`)];
    expect((await calibrationReport(stack.store, config, from, to)).window).toMatchObject({
      truncated: false,
      coveredFrom: null,
    });
    const capped = await calibrationReport(stack.store, config, from, to, 2);
    expect(capped.window).toMatchObject({ truncated: true, maxPushes: 2 });
    // The two newest were read: the late push and the newest earlier one, which marks the edge
    // (its instant may hold more pushes the budget did not reach), so only the late push counts.
    const edge = capped.window.coveredFrom as string;
    expect(Date.parse(edge)).toBeGreaterThanOrEqual(Date.parse(`${today}T00:00:00Z`));
    expect(capped.outcomes).toMatchObject({ pushed: 1, decided: 0, awaitingFeedback: 1 });
  });
});

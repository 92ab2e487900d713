import type { Config } from '@intent/config';
import { resumeRematerialisation } from '@intent/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rematerialiseAudiences } from '../../packages/pipeline/src/rematerialise';
import { rescoreAccount } from '../../packages/pipeline/src/rescore';
import { collectAndDrain, send, upsert, visitEvents } from './accounts-helpers';
import { startTestStack, stopTestStack, type TestStack, take, waitForJob } from './harness';

/**
 * A change of audience definitions on the real stack: it evaluates the stored scores of every
 * scored account, cold ones included, re-scores none of them, and a re-score still holding the
 * old definitions cannot bring the old membership back. No ICP, one pod: every account is tier B.
 */
describe('audience re-materialisation after a definition change', () => {
  let stack: TestStack;
  /** The change, and the job that re-materialises it, once ended. */
  const define = async (stages: string[]) => {
    const res = await send(stack, 'PUT', '/v1/config/audiences', {
      audiences: [{ id: 'seg', name: 'Segment', filter: { stages } }],
    });
    return { ...res, job: res.body.rematerialise?.job ? await waitForJob(stack, res.body.rematerialise.job) : undefined };
  };
  const members = async () => {
    const res = await stack.api('/v1/audiences/seg/members', { key: stack.secrets.marketingKey });
    return { domains: res.body.members.map((m: { domain: string }) => m.domain), cursor: res.body.cursor as string };
  };
  const delta = async (cursor: string) => {
    const res = await stack.api(`/v1/audiences/seg/members?cursor=${encodeURIComponent(cursor)}`, {
      key: stack.secrets.marketingKey,
    });
    const domains = (list: { domain: string }[]) => list.map((m) => m.domain).sort();
    return { added: domains(res.body.added), removed: domains(res.body.removed), cursor: res.body.cursor as string };
  };
  const drainAudienceQueue = async () => {
    const messages = (await take(stack, stack.queues.audiences?.url as string)) as { type: string; domain: string }[];
    return messages.map((m) => `${m.type} ${m.domain}`).sort();
  };
  let oldConfig: Config;
  let cursor: string;

  beforeAll(async () => {
    stack = await startTestStack();
    expect((await define(['hand_raiser'])).status).toBe(200);
    expect(
      (
        await upsert(stack, [
          { domain: 'cold.example', name: 'Cold Co', country: 'GB' },
          { domain: 'warm.example', name: 'Warm Co', country: 'GB' },
        ])
      ).body.rejected,
    ).toEqual([]);
    await collectAndDrain(stack, [
      ...visitEvents('cold.example', 'rep', ['pricing_view']),
      ...visitEvents('warm.example', 'rep', ['pricing_view']),
    ]);
    // Two months on, without new intent, cold.example has gone cold: re-scored then, it leaves
    // the live half of the scored-accounts index (what the decay walk reads) and the audience.
    const config = await stack.store.config.getAll(true);
    const later = new Date(Date.now() + 60 * 86_400_000);
    const rescored = await rescoreAccount('cold.example', { store: stack.store, config, now: later });
    expect(rescored.outcome).toBe('saved');
    // Its account.dequalified counts as sent, as the walk's step marks it: an account still
    // holding a message would stay in the live half until it is delivered.
    await stack.store.outbox.markSent(
      'cold.example',
      rescored.messages.map((m) => m.id),
    );
    oldConfig = config;
  });
  afterAll(() => stopTestStack(stack));

  it('starts with the hand-raiser only; the cold account is scored but not live', async () => {
    const cold = await stack.store.accounts.get('cold.example', true);
    expect(cold?.score?.intent.stage).toBe('cold');
    expect(await stack.store.accounts.liveDomains()).not.toContain('cold.example');
    const now = await members();
    expect(now.domains).toEqual(['warm.example']);
    cursor = now.cursor;
    await drainAudienceQueue();
  });

  it('admits a scored cold account when the new definition does, and re-scores nothing', async () => {
    const before = await Promise.all(['cold.example', 'warm.example'].map((d) => stack.store.accounts.get(d, true)));
    const res = await define(['cold']);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ section: 'audiences', rematerialise: { job: expect.any(String), status: 'queued' } });
    expect(res.body).not.toHaveProperty('rescore');
    expect(res.job).toMatchObject({
      kind: 'rematerialise',
      status: 'done',
      trigger: { section: 'audiences', revision: res.body.revision },
      progress: { accounts: 2, joined: 1, left: 1, failed: 0 },
    });

    expect((await members()).domains).toEqual(['cold.example']);
    expect(await delta(cursor)).toMatchObject({ added: ['cold.example'], removed: ['warm.example'] });
    expect(await drainAudienceQueue()).toEqual(['audience.member_added cold.example', 'audience.member_removed warm.example']);
    expect((await send(stack, 'GET', '/v1/accounts/cold.example')).body.audiences).toEqual(['seg']);
    expect((await send(stack, 'GET', '/v1/accounts/warm.example')).body.audiences).toEqual([]);

    // Not re-scored: each account keeps its version and the time it was scored; only the
    // audiences on its score moved.
    const after = await Promise.all(['cold.example', 'warm.example'].map((d) => stack.store.accounts.get(d, true)));
    after.forEach((record, i) => {
      expect(record?.version).toBe(before[i]?.version);
      expect(record?.score?.scoredAt).toBe(before[i]?.score?.scoredAt);
      expect({ ...record?.score, audiences: undefined }).toEqual({ ...before[i]?.score, audiences: undefined });
    });
  });

  it('changes nothing when the same definition is put again', async () => {
    const { cursor: now } = await members();
    const res = await define(['cold']);
    expect(res.job.progress).toMatchObject({ accounts: 2, joined: 0, left: 0, refreshed: 0 });
    expect(await delta(now)).toMatchObject({ added: [], removed: [], cursor: now });
    expect(await drainAudienceQueue()).toEqual([]);
  });

  it('does not let a re-score still holding the old definitions bring the old membership back', async () => {
    const { cursor: now } = await members();
    // The old definitions admit warm.example (a hand-raiser): this re-score saves that first,
    // then finds newer definitions stored and evaluates its score again under them.
    const result = await rescoreAccount('warm.example', { store: stack.store, config: oldConfig, now: new Date() });
    expect(result.outcome).toBe('saved');
    expect((await members()).domains).toEqual(['cold.example']);
    expect(await delta(now)).toMatchObject({ added: [], removed: [] });
    expect((await stack.store.accounts.get('warm.example', true))?.score?.audiences).toEqual([]);
  });

  it('has the schedule start a re-materialisation that no job is finishing, once', async () => {
    const { cursor: now } = await members();
    // Definitions stored without the job a PUT starts: as if its steps had gone to the DLQ.
    const definitions = { audiences: [{ id: 'seg', name: 'Segment', filter: { stages: ['cold', 'hand_raiser'] } }] };
    await stack.store.config.put('audiences', definitions as Config['audiences'], new Date());
    expect((await members()).domains).toEqual(['cold.example']);
    await stack.runSchedule('rescore');
    await stack.drain();
    expect((await members()).domains).toEqual(['cold.example', 'warm.example']);
    expect(await delta(now)).toMatchObject({ added: ['warm.example'], removed: [] });
    const latest = (await send(stack, 'GET', '/v1/jobs')).body.jobs.find((j: { kind: string }) => j.kind === 'rematerialise');
    // The schedule's decay walk ran too, and may have been the one to re-evaluate warm.example.
    expect(latest).toMatchObject({ status: 'done', trigger: { revision: 4 }, progress: { accounts: 2, left: 0, failed: 0 } });
    // Recorded as materialised: the next run starts nothing.
    const deps = { store: stack.store, clock: () => new Date(), sendJobMessages: async () => undefined };
    expect(await resumeRematerialisation(deps)).toBeUndefined();
    // The walk done in one go finds nothing left to write.
    const config = await stack.store.config.getAll(true);
    expect(await rematerialiseAudiences({ store: stack.store, config, now: new Date(), clock: () => new Date() })).toMatchObject({
      accounts: 2,
      joined: 0,
      left: 0,
      refreshed: 0,
      complete: true,
    });
  });
});

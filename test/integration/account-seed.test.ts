import type { ScoreSnapshot } from '@intent/qualify';
import type { QueuePlacement } from '@intent/store';
import { dynamo, Table } from '@intent/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, stopTestStack, type TestStack } from './harness';

/** The bench seeds with batch puts: they must leave exactly what a first saveScore leaves. */
describe('seeding scores', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stopTestStack(stack));

  const snapshot = (stage: 'cold' | 'surging'): ScoreSnapshot => ({
    fit: { score: 80, tier: 'A', reasons: [{ criterion: 'icp', status: 'matched', message: 'seeded' }], excluded: false },
    intent: { stage, score: stage === 'cold' ? 0 : 50, topics: [], explanation: ['seeded'] },
    priority: 42.5,
    salesReady: stage !== 'cold',
    readiness: ['seeded'],
    explanation: ['seeded'],
    scoredAt: '2026-11-26T00:00:00.000Z',
  });

  it.each([
    ['queued and surging', 'surging', { podId: 'seed', priority: 42.5 }],
    ['queued and cold', 'cold', { podId: 'seed', priority: 3 }],
    ['unqueued and surging', 'surging', undefined],
    ['unqueued and cold', 'cold', undefined],
  ] as const)('writes what saveScore writes for an account %s', async (name, stage, placement) => {
    const table = new Table(dynamo, process.env.TABLE_NAME ?? '');
    const domain = `${name.replace(/ /g, '-')}.example`;
    const key = { pk: `ACCT#${domain}`, sk: 'A' };
    const place: QueuePlacement | undefined = placement ? { ...placement } : undefined;
    expect(await stack.store.accounts.saveScore(domain, snapshot(stage), place, 0)).toBe('saved');
    const saved = await table.get(key, true);
    await table.writeMany([], [key]);
    await stack.store.accounts.seedScores([{ domain, score: snapshot(stage), placement: place }]);
    expect(await table.get(key, true)).toEqual(saved);
  });
});

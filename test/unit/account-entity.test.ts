import { explainAccount, type ScoreSnapshot } from '@intent/qualify';
import { describe, expect, it } from 'vitest';
import { accountEntity, packScore } from '../../packages/store/src/account-entity';
import { ItemShapeError } from '../../packages/store/src/entity';

/** The score as the account item's definition reads it back. */
const unpackScore = (s: unknown) => accountEntity.parse({ pk: 'ACCT#x.example', s }).s;

const topic = (name: string, days: number) => ({
  topic: name,
  score: 61.2,
  velocity: 2.4,
  stage: 'surging' as const,
  reads: 12,
  people: 4,
  lastDay: '2026-11-30',
  daily: Array.from({ length: days }, (_, i) => ({
    day: `2026-11-${String(30 - days + 1 + i).padStart(2, '0')}`,
    score: i * 3.7,
  })),
});
const fit: ScoreSnapshot['fit'] = {
  score: 80,
  tier: 'A',
  reasons: [{ criterion: 'industry', status: 'matched', message: 'Industry software matches' }],
  excluded: false,
};
const intent: ScoreSnapshot['intent'] = {
  stage: 'surging',
  score: 70,
  topics: [topic('security', 14), topic('data-warehousing', 14)],
  explanation: ['x'],
};
const score: ScoreSnapshot = {
  fit,
  intent,
  priority: 75,
  salesReady: true,
  readiness: ['Tier A and surging'],
  pod: 'default',
  queuedIn: 'default',
  // As a re-score makes it: the item does not keep it, reading makes it again.
  explanation: explainAccount(fit, intent, { salesReady: true, reasons: ['Tier A and surging'] }, 'default'),
  scoredAt: '2026-11-30T10:00:00.000Z',
  pushedAt: '2026-11-30T10:00:00.000Z',
  audiences: [],
};

describe('the score as the account item keeps it', () => {
  it('reads back exactly as saved, daily series included', () => {
    expect(unpackScore(JSON.parse(JSON.stringify(packScore(score))))).toEqual(score);
  });

  it('keeps each daily series as a first day and its scores: well under half the bytes of the series', () => {
    const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));
    const series = score.intent.topics.map((t) => t.daily);
    const packed = (packScore(score).intent as { topics: { dailyFrom: string; dailyScores: number[] }[] }).topics.map((t) => [
      t.dailyFrom,
      t.dailyScores,
    ]);
    expect(bytes(packed)).toBeLessThan(bytes(series) / 2);
  });

  it('keeps no explanation: it is made again on reading from the verdict, the reasons and the fit kept beside it', () => {
    expect(packScore(score)).not.toHaveProperty('explanation');
    expect(unpackScore(packScore(score))?.explanation).toEqual([
      'Sales-ready and routed to pod default.',
      'Tier A and surging',
      'x',
      'Fit: tier A, score 80 of 100.',
      'Industry software matches',
    ]);
  });

  it('reads a score saved with a day and a score per entry as it was', () => {
    expect(unpackScore(JSON.parse(JSON.stringify(score)))).toEqual(score);
  });
});

describe('an account item read', () => {
  it('that is not as defined fails naming the item and the attribute, never passing as a record', () => {
    expect(() => accountEntity.parse({ pk: 'ACCT#x.example', sk: 'A', s: { ...score, priority: 'high' } })).toThrow(
      /account item ACCT#x\.example A is not as defined: s\.priority/,
    );
    expect(() => accountEntity.parse({ pk: 'ACCT#x.example', sk: 'A', version: '3' })).toThrow(ItemShapeError);
  });
});

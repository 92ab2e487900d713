import type { PodMessage } from '@intent/pipeline';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_OUTBOX_MESSAGES, nextOutbox } from '../../packages/pipeline/src/outbox';

const message = (i: number, type: PodMessage['type'], podId = 'default'): PodMessage => ({
  type,
  id: `m${i}`,
  podId,
  domain: 'acme.example',
  priority: i,
  stage: 'surging',
  tier: 'B',
  reasons: [],
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
});

describe('the outbox a save writes', () => {
  it('keeps every held message and every new one while under the bound', () => {
    const held = [message(1, 'account.qualified'), message(2, 'account.updated')];
    const changes = [message(3, 'account.updated')];
    expect(nextOutbox(held, changes)).toEqual([...held, ...changes]);
  });

  it('past the bound lets the oldest superseded updates go, never a change of queue or the latest state', () => {
    const types = fc.constantFrom<PodMessage['type']>('account.qualified', 'account.updated', 'account.dequalified');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(types, fc.constantFrom('a', 'b')), { minLength: 30, maxLength: 120, size: 'max' }),
        (specs) => {
          const all = specs.map(([type, pod], i) => message(i, type, pod));
          const kept = nextOutbox(all.slice(0, -1), all.slice(-1));
          const keptIds = new Set(kept.map((m) => m.id));
          // Order is kept, and nothing but superseded updates is dropped.
          expect(kept).toEqual(all.filter((m) => keptIds.has(m.id)));
          for (const [i, m] of all.entries()) {
            const superseded = m.type === 'account.updated' && all.slice(i + 1).some((l) => l.podId === m.podId);
            if (!superseded) expect(keptIds.has(m.id)).toBe(true);
          }
          const required = all.filter(
            (m, i) => !(m.type === 'account.updated' && all.slice(i + 1).some((l) => l.podId === m.podId)),
          );
          expect(kept.length).toBe(Math.max(required.length, Math.min(all.length, MAX_OUTBOX_MESSAGES)));
        },
      ),
    );
  });
});

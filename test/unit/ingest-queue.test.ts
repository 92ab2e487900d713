import { packIngestBodies } from '@intent/events';
import { ErasedVisitorCache } from '@intent/pipeline';
import type { Store } from '@intent/store';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BATCH_BODY_BYTES } from '../../packages/events/src/message';

describe('packing a request’s entries into ingest queue bodies', () => {
  it('keeps every entry once, in order, in bodies under the limit (an entry over it travels alone)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.string(), pad: fc.string({ maxLength: 300 }) }), { maxLength: 60 }),
        fc.integer({ min: 40, max: 2_000 }),
        (objects, maxBytes) => {
          const entries = objects.map((o) => JSON.stringify(o));
          const bodies = packIngestBodies(entries, maxBytes);
          expect(bodies.flatMap((b) => b.indexes)).toEqual(entries.map((_, i) => i));
          for (const { body, indexes } of bodies) {
            expect((JSON.parse(body) as { messages: unknown[] }).messages).toEqual(indexes.map((i) => objects[i]));
            if (indexes.length > 1) expect(Buffer.byteLength(body)).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('packs 100 demo-sized events into two bodies under the 64 KiB SQS bills as one request', () => {
    const entry = JSON.stringify({ v: 1, id: 'abcdefghijkl', url: `https://x.example/${'a'.repeat(500)}` });
    const bodies = packIngestBodies(Array.from({ length: 100 }, () => entry));
    expect(bodies.length).toBe(Math.ceil((100 * (entry.length + 1)) / MAX_BATCH_BODY_BYTES));
    for (const { body } of bodies) expect(Buffer.byteLength(body)).toBeLessThan(64 * 1024);
  });
});

describe('the erased visitors a consumer keeps', () => {
  /** A register with entries at the given times; records each `since` asked for. */
  const register = (entries: { at: string; id: string }[]) => {
    const asked: (string | undefined)[] = [];
    const store = {
      identity: {
        erasedSince: async (since?: string) => {
          asked.push(since);
          return entries.filter((e) => !since || e.at >= since).map((e) => e.id);
        },
      },
    } as unknown as Store;
    return { store, asked, entries };
  };

  it('reads the whole register once, then only from the overlap before its previous read', async () => {
    const { store, asked, entries } = register([{ at: '2026-11-27T10:00:00.000Z', id: 'old' }]);
    const cache = new ErasedVisitorCache(store, 60_000);
    expect([...(await cache.get(Date.parse('2026-11-27T12:00:00.000Z')))]).toEqual(['old']);
    // Written by another function, its clock 30 s behind: still within the overlap.
    entries.push({ at: '2026-11-27T11:59:30.000Z', id: 'late-clock' });
    expect([...(await cache.get(Date.parse('2026-11-27T12:00:05.000Z')))].sort()).toEqual(['late-clock', 'old']);
    expect(asked).toEqual([undefined, '2026-11-27T11:59:00.000Z']);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameJson } from '../../packages/pipeline/src/same-json';

/** JSON with sorted keys: what "equal as stored" means, written the slow way. */
const sorted = (value: unknown): string =>
  JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );

/** The same value with every map's keys in reverse order (DynamoDB keeps no order). */
const reordered = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(reordered)
    : value && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value)
            .reverse()
            .map(([k, v]) => [k, reordered(v)]),
        )
      : value;

describe('sameJson', () => {
  it('agrees with comparing sorted-key JSON, for any two values and any key order', () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(sameJson(a, reordered(a))).toBe(true);
        expect(sameJson(a, b)).toBe(sorted(a) === sorted(b));
      }),
    );
  });

  it('takes an undefined field for an absent one, and tells arrays by order and length', () => {
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: 0 })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson([1], [1, 1])).toBe(false);
    expect(sameJson({ a: [] }, { a: {} })).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { beaconSummary, floodBatch, windowsTouched } from '../../bench/flood';

describe('flood benchmark: its pure parts', () => {
  it('reports the share of the second site’s beacons accepted, and their round trips', () => {
    const samples = [
      { status: 202, ms: 10 },
      { status: 202, ms: 20 },
      { status: 429, ms: 5 },
      { status: 202, ms: 40 },
    ];
    expect(beaconSummary(samples)).toEqual({ sent: 4, accepted: 3, acceptedShare: 0.75, p50Ms: 10, p95Ms: 40 });
    expect(beaconSummary([]).acceptedShare).toBeNaN();
  });

  it('counts the rate windows a run touched, the partial ones at its ends included', () => {
    expect(windowsTouched(0, 1_999)).toBe(1);
    expect(windowsTouched(1_000, 7_000)).toBe(4);
    expect(windowsTouched(2_000, 8_000)).toBe(4);
    expect(windowsTouched(2_000, 7_999)).toBe(3);
  });

  it('builds batches of distinct page views that the collector takes as a snippet’s', () => {
    const batch = floodBatch('https://a.example', 10, 'x');
    expect(batch).toHaveLength(10);
    expect(new Set(batch.map((e) => e.messageId)).size).toBe(10);
    expect(batch.every((e) => e.type === 'page' && e.anonymousId === 'x-visitor')).toBe(true);
  });
});

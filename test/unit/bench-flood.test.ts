import { describe, expect, it } from 'vitest';
import { beaconSummary, floodBatch } from '../../bench/flood';

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

  it('builds batches of distinct page views that the collector takes as a snippet’s', () => {
    const batch = floodBatch('https://a.example', 10, 'x');
    expect(batch).toHaveLength(10);
    expect(new Set(batch.map((e) => e.messageId)).size).toBe(10);
    expect(batch.every((e) => e.type === 'page' && e.anonymousId === 'x-visitor')).toBe(true);
  });
});

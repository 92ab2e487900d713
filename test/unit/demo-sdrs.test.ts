import { IcpSection } from '@intent/config';
import { scoreFit } from '@intent/fit';
import { describe, expect, it } from 'vitest';
import { SCENARIO_ACCOUNTS } from '../../scripts/demo/accounts';
import { generateDemo } from '../../scripts/demo/generate';
import { Rng } from '../../scripts/demo/random';
import { type Behaviour, behaviours, type SdrClient, sdrVerdict, simulateSdrs } from '../../scripts/demo/sdrs';

const data = generateDemo({ seed: 7, endDate: new Date('2025-03-01T12:00:00Z') });
const known = behaviours(data.events);

/** The share of `n` verdicts on `b` that accept. */
function acceptance(b: Behaviour, n = 2000): number {
  const rng = new Rng(1);
  let accepted = 0;
  for (let i = 0; i < n; i++) if (sdrVerdict(b, rng).outcomes[0] === 'accepted') accepted++;
  return accepted / n;
}

describe('the demo’s simulated SDRs', () => {
  it('know what each account really did in the month, from the generated events', () => {
    const committee = known.get(SCENARIO_ACCOUNTS.buyingCommittee?.domain as string);
    expect(committee?.readers).toBeGreaterThanOrEqual(4);
    const hoarder = known.get(SCENARIO_ACCOUNTS.startupDownloader?.domain as string);
    expect(hoarder).toMatchObject({ readers: 1, handRaised: false });
    expect(hoarder?.downloads).toBeGreaterThanOrEqual(4);
    expect(known.get(SCENARIO_ACCOUNTS.quietEnterprise?.domain as string)).toMatchObject({ readers: 1, handRaised: true });
  });

  it('judge by a hidden rule: committees with a hand-raise accepted, lone readers and hoarders rejected', () => {
    expect(acceptance({ readers: 4, downloads: 0, handRaised: true })).toBeGreaterThan(0.85);
    expect(acceptance({ readers: 3, downloads: 1, handRaised: false })).toBeCloseTo(0.5, 1);
    expect(acceptance({ readers: 1, downloads: 0, handRaised: false })).toBeLessThan(0.12);
    expect(acceptance({ readers: 1, downloads: 9, handRaised: true })).toBe(0);
    const rng = new Rng(2);
    const later = Array.from({ length: 200 }, () => sdrVerdict({ readers: 5, downloads: 0, handRaised: true }, rng).outcomes);
    expect(later.some((o) => o.includes('closed_won'))).toBe(true);
    expect(later.every((o) => o[0] !== 'rejected' || o.length === 1)).toBe(true);
  });

  it('have fitting leads of every kind to judge, so calibration has pushes to learn from', () => {
    const icp = IcpSection.parse(data.config.icp);
    const fitting = new Set(
      data.accounts.filter((a) => ['A', 'B'].includes(scoreFit(a, icp).tier) && !scoreFit(a, icp).excluded).map((a) => a.domain),
    );
    const leads = [...known].filter(([domain]) => fitting.has(domain)).map(([, b]) => b);
    expect(leads.filter((b) => b.readers >= 3 && b.handRaised).length).toBeGreaterThan(30);
    expect(leads.filter((b) => b.readers >= 3 && !b.handRaised).length).toBeGreaterThan(30);
    expect(leads.filter((b) => b.readers === 1 && b.downloads >= 4).length).toBeGreaterThan(15);
  });

  it('give feedback on the queued accounts the demo made, and leave the others alone', async () => {
    const given: [string, string, string | undefined][] = [];
    const client: SdrClient = {
      queueDomains: async (podId) => (podId === 'a' ? ['tinyloop.example', 'walkthrough.example'] : []),
      feedback: async (domain, outcome, reason) => {
        given.push([domain, outcome, reason]);
      },
    };
    const summary = await simulateSdrs(client, ['a', 'b'], known, 1);
    expect(summary).toEqual({ judged: 1, accepted: 0, rejected: 1, skipped: 1, won: 0 });
    expect(given).toEqual([['tinyloop.example', 'rejected', 'Downloads everything, nobody to sell to']]);
  });
});

import { Rng } from './random';
import type { SimEvent } from './simulator';

/**
 * The demo's simulated SDRs. They judge each account in their pod's queue by a hidden rule over
 * what the account really did in the month (the generator's events, which the pipeline only
 * partly sees at push time), never by its score:
 * - a buying committee (three or more people reading) with a pricing visit or demo request:
 *   accepted 9 times in 10, and half of those go on to a meeting, an opportunity, a win or loss;
 * - a committee without one: accepted about half the time;
 * - two readers: a third of the time;
 * - one person: rejected as a lone reader, more surely without a pricing visit; one who hoards
 *   assets (four or more downloads) is always rejected.
 * `npm run calibrate` afterwards shows how much of this rule the pipeline's evidence recovers.
 */

export interface Behaviour {
  /** Distinct identified people at the account who read, downloaded or registered. */
  readers: number;
  downloads: number;
  /** A pricing visit or a demo request by anyone at the account. */
  handRaised: boolean;
}

export type Outcome = 'accepted' | 'rejected' | 'meeting' | 'opportunity' | 'closed_won' | 'closed_lost';

export interface Verdict {
  outcomes: Outcome[];
  reason?: string;
}

const READS = new Set(['content_read', 'Article Read', 'content_download', 'webinar_registration']);
const HAND_RAISES = new Set(['pricing_view', 'demo_request', 'Demo Requested']);

/** What each account's identified people did in the month, from the demo's events. */
export function behaviours(events: readonly SimEvent[]): Map<string, Behaviour> {
  const domainOf = new Map<string, { domain: string; person: string }>();
  const readers = new Map<string, Set<string>>();
  const out = new Map<string, Behaviour>();
  const of = (domain: string) => {
    const b = out.get(domain) ?? { readers: 0, downloads: 0, handRaised: false };
    out.set(domain, b);
    return b;
  };
  for (const { event } of events) {
    const anonymousId = String(event.anonymousId ?? '');
    const email = (event.traits as { email?: string } | undefined)?.email;
    if (event.type === 'identify' && email?.includes('@')) {
      domainOf.set(anonymousId, { domain: email.slice(email.indexOf('@') + 1), person: email });
      continue;
    }
    const who = domainOf.get(anonymousId);
    if (!who || event.type !== 'track') continue;
    const name = String(event.event);
    const b = of(who.domain);
    if (HAND_RAISES.has(name)) b.handRaised = true;
    if (name === 'content_download') b.downloads++;
    if (READS.has(name)) {
      const set = readers.get(who.domain) ?? new Set<string>();
      set.add(who.person);
      readers.set(who.domain, set);
      b.readers = set.size;
    }
  }
  return out;
}

/** The hidden rule (see above); `rng` decides the coin flips. */
export function sdrVerdict(b: Behaviour, rng: Rng): Verdict {
  if (b.downloads >= 4 && b.readers <= 1) return { outcomes: ['rejected'], reason: 'Downloads everything, nobody to sell to' };
  const accept = b.readers >= 3 ? (b.handRaised ? 0.9 : 0.5) : b.readers === 2 ? 0.35 : b.handRaised ? 0.2 : 0.08;
  if (!rng.chance(accept)) {
    return { outcomes: ['rejected'], reason: b.readers <= 1 ? 'A lone reader, no buying group' : 'Not in market yet' };
  }
  const outcomes: Outcome[] = ['accepted'];
  if (b.readers >= 3 && b.handRaised && rng.chance(0.5)) {
    outcomes.push('meeting', 'opportunity', rng.chance(0.5) ? 'closed_won' : 'closed_lost');
  }
  return { outcomes, reason: undefined };
}

export interface SdrClient {
  queueDomains(podId: string): Promise<string[]>;
  feedback(domain: string, outcome: Outcome, reason?: string): Promise<void>;
}

export interface SdrSummary {
  judged: number;
  accepted: number;
  rejected: number;
  /** Queued accounts the demo did not generate (a walk-through's): left alone. */
  skipped: number;
  won: number;
}

/** Works every pod's queue once: a verdict, and its later outcomes, on each account the demo generated. */
export async function simulateSdrs(
  client: SdrClient,
  podIds: readonly string[],
  known: ReadonlyMap<string, Behaviour>,
  seed: number,
): Promise<SdrSummary> {
  const rng = new Rng(seed).fork('sdrs');
  const summary: SdrSummary = { judged: 0, accepted: 0, rejected: 0, skipped: 0, won: 0 };
  for (const podId of podIds) {
    for (const domain of await client.queueDomains(podId)) {
      const b = known.get(domain);
      if (!b) {
        summary.skipped++;
        continue;
      }
      const verdict = sdrVerdict(b, rng);
      for (const outcome of verdict.outcomes)
        await client.feedback(domain, outcome, outcome === 'rejected' ? verdict.reason : undefined);
      summary.judged++;
      if (verdict.outcomes[0] === 'accepted') summary.accepted++;
      else summary.rejected++;
      if (verdict.outcomes.includes('closed_won')) summary.won++;
    }
  }
  return summary;
}

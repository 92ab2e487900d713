import type { IcpConfig, SlaConfig } from '@intent/config';
import type { Fit } from '@intent/fit';
import type { AccountIntent } from '@intent/intent';
import { DAY_MS, dayOf } from '@intent/intent';
import { z } from 'zod';

/** What an SDR reports of a pushed account, in the order a deal moves. */
export const OUTCOMES = [
  'accepted',
  'rejected',
  'meeting',
  'bant_qualified',
  'opportunity',
  'closed_won',
  'closed_lost',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The latest SDR feedback on an account: what may hold it back from a queue. */
export const Hold = z.object({
  outcome: z.enum(OUTCOMES).optional(),
  /** ISO 8601. */
  outcomeAt: z.string().optional(),
});
export type Hold = z.infer<typeof Hold>;

export interface Readiness {
  salesReady: boolean;
  /** Plain sentences; the ones that block come first. */
  reasons: string[];
}

/** Once sales owns the deal (or it is decided), marketing stops pushing the account. */
export const TERMINAL_OUTCOMES: readonly Outcome[] = ['opportunity', 'closed_won', 'closed_lost'];

type Check = { ok: boolean; reason: string };

/**
 * Sales-ready = fit tier in `icp.salesReadyTiers` AND stage surging or hand_raiser AND (when
 * `icp.salesReadyIntent` is set) intent score at least that AND no terminal outcome AND no
 * rejection hold. A rejection holds for `sla.rejectCooloffDays`, and
 * after that only intent newer than the rejection day releases it, so a rep never sees the
 * same account come back on the evidence they already turned down.
 * `lastIntentDay` ('YYYY-MM-DD'): the latest day with intent; defaults to the latest topic day.
 */
export function salesReadiness(
  fit: Fit,
  intent: AccountIntent,
  icp: IcpConfig,
  sla: SlaConfig,
  hold: Hold,
  now: Date,
  lastIntentDay?: string,
): Readiness {
  const checks: Check[] = [fitCheck(fit, icp), stageCheck(intent)];
  if (icp.salesReadyIntent > 0) checks.push(intentCheck(intent, icp.salesReadyIntent));
  const feedback = holdCheck(hold, sla, now, lastIntentDay ?? latestTopicDay(intent));
  if (feedback) checks.push(feedback);
  const salesReady = checks.every((c) => c.ok);
  const reasons = [...checks.filter((c) => !c.ok), ...checks.filter((c) => c.ok)].map((c) => c.reason);
  return { salesReady, reasons };
}

function fitCheck(fit: Fit, icp: IcpConfig): Check {
  const tiers = icp.salesReadyTiers.join(' and ') || 'none';
  if (fit.excluded) {
    const why = fit.reasons.filter((r) => r.status === 'excluded').map((r) => r.message);
    return { ok: false, reason: `The account is excluded from the ICP. ${why.join(' ')}`.trim() };
  }
  const ok = icp.salesReadyTiers.includes(fit.tier);
  return {
    ok,
    reason: ok
      ? `Fit tier ${fit.tier} (score ${fit.score}) is one of the sales-ready tiers (${tiers}).`
      : `Fit tier ${fit.tier} (score ${fit.score}) is not one of the sales-ready tiers (${tiers}), whatever the intent.`,
  };
}

function stageCheck(intent: AccountIntent): Check {
  const on = (stage: string) => {
    // '-' is the intent package's NO_TOPIC (traffic on no topic): not worth naming to a rep.
    const topics = intent.topics.filter((t) => t.stage === stage && t.topic !== '-').map((t) => t.topic);
    return topics.length ? ` on ${topics.join(', ')}` : '';
  };
  switch (intent.stage) {
    case 'hand_raiser':
      return {
        ok: true,
        reason: `Someone at the account raised a hand (such as a demo request or a pricing-page visit)${on('hand_raiser')}.`,
      };
    case 'surging':
      return { ok: true, reason: `Intent is surging${on('surging')}: several reads on one topic in a short window.` };
    case 'engaged':
      return {
        ok: false,
        reason:
          'Engagement alone (reads, downloads, webinars) does not make an account sales-ready: no topic is surging and nobody raised a hand.',
      };
    case 'aware':
      return { ok: false, reason: 'Only page views so far: no topic is surging and nobody raised a hand.' };
    default:
      return { ok: false, reason: 'No intent in the scoring window.' };
  }
}

/** The configured intent threshold: a surge or hand-raise on thin evidence waits until intent reaches it. */
function intentCheck(intent: AccountIntent, threshold: number): Check {
  const ok = intent.score >= threshold;
  return {
    ok,
    reason: ok
      ? `Intent score ${intent.score} reaches the sales-ready threshold of ${threshold}.`
      : `Intent score ${intent.score} is below the sales-ready threshold of ${threshold}.`,
  };
}

function holdCheck(hold: Hold, sla: SlaConfig, now: Date, lastIntentDay: string | undefined): Check | undefined {
  const at = hold.outcomeAt ? Date.parse(hold.outcomeAt) : Number.NaN;
  const day = Number.isFinite(at) ? dayOf(new Date(at)) : undefined;
  const since = day ? ` on ${day}` : '';
  switch (hold.outcome) {
    case undefined:
      return undefined;
    case 'opportunity':
      return { ok: false, reason: `Sales already works the account as an opportunity (since${since || ' an unknown date'}).` };
    case 'closed_won':
      return { ok: false, reason: `The account is already a customer (closed won${since}).` };
    case 'closed_lost':
      return { ok: false, reason: `The deal was closed lost${since}; the account is not pushed again.` };
    case 'accepted':
      return { ok: true, reason: `Sales accepted the account${since}.` };
    case 'meeting':
      return { ok: true, reason: `Sales booked a meeting with the account${since}.` };
    case 'bant_qualified':
      return { ok: true, reason: `An SDR confirmed budget, authority, need and timeline${since}.` };
    case 'rejected':
      return rejectionCheck(at, day, sla, now, lastIntentDay);
  }
}

function rejectionCheck(
  at: number,
  day: string | undefined,
  sla: SlaConfig,
  now: Date,
  lastIntentDay: string | undefined,
): Check {
  // Without a usable date the cool-off cannot be shown to be over, so the rejection holds.
  if (day === undefined) return { ok: false, reason: 'Sales rejected the account (date unknown), so it is held back.' };
  const until = at + sla.rejectCooloffDays * DAY_MS;
  if (now.getTime() < until) {
    const untilDay = dayOf(new Date(until));
    return {
      ok: false,
      reason: `Sales rejected the account on ${day}; the ${sla.rejectCooloffDays}-day cool-off runs until ${untilDay}.`,
    };
  }
  const latest = lastIntentDay?.slice(0, 10);
  if (!latest || latest <= day) {
    return {
      ok: false,
      reason: `Sales rejected the account on ${day}; the cool-off is over, but there is no intent newer than the rejection.`,
    };
  }
  return { ok: true, reason: `Sales rejected the account on ${day}; the cool-off is over and new intent arrived on ${latest}.` };
}

function latestTopicDay(intent: AccountIntent): string | undefined {
  let latest: string | undefined;
  for (const t of intent.topics) if (t.lastDay && (!latest || t.lastDay > latest)) latest = t.lastDay;
  return latest;
}

import type { Claim } from '@intent/qualify';
import type { PodMessage } from './pod-messages';
import { rescoreAccount } from './rescore';
import type { ServiceDeps } from './service-deps';

export type ClaimResult = { outcome: 'claimed'; claim: Claim } | { outcome: 'not_in_queue' } | { outcome: 'held'; claim: Claim };

const HOUR_MS = 3_600_000;

/**
 * An SDR claims an account in their pod's queue for `sla.claimHours`; the same SDR claiming
 * again renews the lease. Another SDR's live lease is an expected race, answered as 'held'.
 * The first claim after a push is recorded on the push (speed to engagement).
 */
export async function claimAccount(podId: string, domain: string, sdr: string, deps: ServiceDeps): Promise<ClaimResult> {
  const now = deps.now.toISOString();
  const claim: Claim = {
    sdr,
    claimedAt: now,
    expiresAt: new Date(deps.now.getTime() + deps.config.sla.claimHours * HOUR_MS).toISOString(),
  };
  let taken = await deps.store.claims.claim(domain, podId, claim, now);
  for (let attempt = 0; taken.outcome === 'refused'; attempt++) {
    const record = await deps.store.accounts.get(domain, true);
    if (record?.score?.queuedIn !== podId) return { outcome: 'not_in_queue' };
    const other = record.claim && record.claim.sdr !== sdr && record.claim.expiresAt >= now;
    if (other || attempt >= 2) return { outcome: 'held', claim: record.claim ?? claim };
    // The lease changed between the write and the read (released, expired): try again.
    taken = await deps.store.claims.claim(domain, podId, claim, now);
  }
  const { before } = taken;
  const pushedAt = before.score?.pushedAt;
  // The first claim since the push: no claim before, or the one before predates the push.
  if (pushedAt && (!before.claim || before.claim.claimedAt < pushedAt)) {
    await deps.store.pushes.markClaimed({ podId, pushedAt, domain }, now);
  }
  return { outcome: 'claimed', claim };
}

export type ReleaseResult =
  | { outcome: 'released' | 'not_claimed' | 'not_in_queue'; messages: PodMessage[] }
  | { outcome: 'held'; claim: Claim; messages: PodMessage[] };

/**
 * Ends a claim on an account in `podId`'s queue: `sdr` must hold it (or it has expired);
 * `sdr` undefined is an admin, who may end any. Releasing nothing is fine (DELETE is
 * idempotent). The account is re-scored, so one kept in the queue only by the claim leaves it.
 */
export async function releaseClaim(
  podId: string,
  domain: string,
  sdr: string | undefined,
  deps: ServiceDeps,
): Promise<ReleaseResult> {
  const now = deps.now.toISOString();
  const released = await deps.store.claims.release(domain, podId, sdr, now);
  if (released === 'refused') {
    const record = await deps.store.accounts.get(domain, true);
    if (record?.score?.queuedIn !== podId) return { outcome: 'not_in_queue', messages: [] };
    if (record.claim && record.claim.sdr !== sdr && record.claim.expiresAt >= now)
      return { outcome: 'held', claim: record.claim, messages: [] };
    return { outcome: 'not_claimed', messages: [] };
  }
  const { messages } = await rescoreAccount(domain, deps);
  return { outcome: 'released', messages };
}

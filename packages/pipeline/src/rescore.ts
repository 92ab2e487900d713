import type { Config } from '@intent/config';
import { scoreFit } from '@intent/fit';
import { evidenceDays, scoreIntent } from '@intent/intent';
import { explainAccount, priority, routeToPod, salesReadiness } from '@intent/qualify';
import type { AccountRecord, ScoreSnapshot, Store } from '@intent/store';
import { type PodMessage, podMessagesFor } from './pod-messages';
import { addDays, dayOf } from './time';

export interface RescoreDeps {
  store: Store;
  config: Config;
  now: Date;
}

export type RescoreResult = { outcome: 'saved' | 'unchanged'; messages: PodMessage[] };

const MAX_ATTEMPTS = 6;

/**
 * Re-scores one account from its stored rollups, firmographics and feedback, and saves the
 * result only when something a person would see changed. Concurrent re-scores of the same
 * account are serialised by the account's version: the loser re-reads and tries again, so
 * the saved score always reflects every rollup written before it.
 */
export async function rescoreAccount(domain: string, deps: RescoreDeps): Promise<RescoreResult> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const record = (await deps.store.accounts.get(domain, true)) ?? { domain, version: 0 };
    const score = await computeScore(record, deps);
    if (record.score && sameScore(record.score, score)) return { outcome: 'unchanged', messages: [] };
    if (record.score?.queuedIn && record.score.queuedIn === score.queuedIn) score.pushedAt = record.score.pushedAt;
    const placement = score.queuedIn ? { podId: score.queuedIn, priority: score.priority } : undefined;
    const saved = await deps.store.accounts.saveScore(domain, score, placement, record.version);
    if (saved === 'saved') {
      const messages = podMessagesFor(
        domain,
        record.firmographics?.name,
        { podId: record.score?.queuedIn, score: record.score },
        { podId: score.queuedIn, score },
        deps.now.toISOString(),
      );
      return { outcome: 'saved', messages };
    }
  }
  throw new Error(`re-scoring ${domain} kept conflicting with concurrent writers`);
}

async function computeScore(record: AccountRecord, { store, config, now }: RescoreDeps): Promise<ScoreSnapshot> {
  const today = dayOf(now);
  const rollups = await store.rollups.since(record.domain, addDays(today, 1 - evidenceDays(config.signals)));
  const topicNames = Object.fromEntries(config.topics.topics.map((t) => [t.id, t.name]));
  const intent = scoreIntent(rollups, config.signals, today, { domain: record.domain, topicNames });
  const firmographics = record.firmographics ?? { domain: record.domain };
  const fit = scoreFit(firmographics, config.icp);
  const lastIntentDay = rollups.reduce<string | undefined>((max, r) => (!max || r.day > max ? r.day : max), undefined);
  const readiness = salesReadiness(fit, intent, config.icp, config.sla, record.hold ?? {}, now, lastIntentDay);
  const pod = routeToPod(firmographics, config.pods.pods);
  const claimLive = record.claim && record.claim.expiresAt > now.toISOString();
  // An account stays queued while sales-ready or claimed (the claim keeps its current pod).
  const queuedIn = readiness.salesReady && pod ? pod : claimLive ? record.score?.queuedIn : undefined;
  return {
    fit,
    intent,
    priority: priority(fit, intent),
    salesReady: readiness.salesReady,
    readiness: readiness.reasons,
    pod,
    queuedIn,
    explanation: explainAccount(fit, intent, readiness, pod),
    scoredAt: now.toISOString(),
    pushedAt: queuedIn ? now.toISOString() : undefined,
  };
}

/** Equal for a person: everything but the time it was computed. */
function sameScore(a: ScoreSnapshot, b: ScoreSnapshot): boolean {
  const strip = ({ scoredAt: _s, pushedAt: _p, ...rest }: ScoreSnapshot) => rest;
  return canonical(strip(a)) === canonical(strip(b));
}

/** JSON with sorted keys: DynamoDB does not keep the key order of a stored map. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

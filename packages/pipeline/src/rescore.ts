import { audiencesOf } from '@intent/audiences';
import { pushEvidence } from '@intent/calibration';
import type { Config } from '@intent/config';
import { scoreFit } from '@intent/fit';
import { addDays, type DailyRollup, dayOf, evidenceDays, scoreIntent, topicSignals } from '@intent/intent';
import type { AccountRecord, ScoreSnapshot } from '@intent/qualify';
import { explainAccount, priority, routeToPod, salesReadiness } from '@intent/qualify';
import { type PushRef, perOwner, type Store } from '@intent/store';
import { syncMembership } from './audiences';
import { settleLimited } from './concurrency';
import { ConflictRetriesExhausted, conflictBackoff } from './errors';
import { nextOutbox } from './outbox';
import { PodMessage, podMessagesFor } from './pod-messages';
import { sameJson } from './same-json';
import type { ServiceDeps } from './service-deps';

/**
 * `messages`: what to send now (then take off the outbox): the messages this re-score saved, and
 * those its account still held from an earlier change whose send failed or never happened.
 */
export type RescoreResult = { outcome: 'saved' | 'unchanged'; messages: PodMessage[] };

/**
 * How long a message waits in its account's outbox before a later re-score sends it: long
 * enough for the invocation that saved it to send it first, so a concurrent re-score of the
 * same account does not send a second copy of a message that is on its way.
 */
export const OUTBOX_GRACE_MS = 60_000;

/** Attempts at saving one account's score against concurrent writers (`CONFLICT_RETRY` waits between them). */
const MAX_ATTEMPTS = 6;

/**
 * Re-scores many accounts, `concurrency` at a time, each hundred's records read together first
 * (consistently, in one batch read) instead of one read each. Settles every account.
 */
export async function rescoreAccounts(
  domains: string[],
  deps: ServiceDeps,
  concurrency: number,
): Promise<PromiseSettledResult<RescoreResult>[]> {
  const results: PromiseSettledResult<RescoreResult>[] = [];
  for (let i = 0; i < domains.length; i += 100) {
    const chunk = domains.slice(i, i + 100);
    // A failed batch read leaves each re-score to read its own record.
    const records = await deps.store.accounts.getMany(chunk, true).catch(() => undefined);
    const read = (domain: string) => (records ? (records.get(domain) ?? null) : undefined);
    results.push(
      ...(await settleLimited(chunk, concurrency, (domain) => rescoresOf(deps.store).run(domain, deps, read(domain)))),
    );
  }
  return results;
}

/**
 * This process's re-scores of each account, one at a time. Locally the ingest consumer's
 * concurrent batches share a process, and a busy account touched by all of them would have
 * them race on its version, each loss a wait and a read again. Here a request made while the
 * account is being re-scored waits for the next run, which starts after the request and so reads
 * every rollup written before it; requests waiting on the same run (under the same
 * configuration) share it, and only the first gets its pod messages to send. In AWS a Lambda
 * process runs one batch at a time, so nothing waits: processes race on the version as before.
 */
class AccountRescores {
  private readonly accounts = new Map<
    string,
    { tail: Promise<unknown>; runs: number; queued?: { config: Config; result: Promise<RescoreResult> } }
  >();

  run(domain: string, deps: ServiceDeps, read?: AccountRecord | null): Promise<RescoreResult> {
    const account = this.accounts.get(domain) ?? { tail: Promise.resolve(), runs: 0 };
    this.accounts.set(domain, account);
    const queued = account.queued;
    if (queued && queued.config === deps.config) return queued.result.then((r) => ({ ...r, messages: [] }));
    // The record the batch read is the latest only when no run of this process came between.
    const first = account.runs === 0;
    account.runs++;
    const entry: { config: Config; result: Promise<RescoreResult> } = { config: deps.config, result: Promise.resolve() as never };
    entry.result = account.tail.then(() => {
      if (account.queued === entry) account.queued = undefined;
      return rescoreAccount(domain, deps, first ? read : undefined);
    });
    account.queued = entry;
    account.tail = entry.result
      .catch(() => undefined)
      .finally(() => {
        if (--account.runs === 0) this.accounts.delete(domain);
      });
    return entry.result;
  }
}

/** Per store: a process has one. */
const rescoresOf = perOwner<Store, AccountRescores>(() => new AccountRescores());
/**
 * Re-scores one account from its stored rollups, firmographics and feedback, and saves the
 * result only when something a person would see changed. Concurrent re-scores of the same
 * account are serialised by the account's version: the loser re-reads and tries again, so
 * the saved score always reflects every rollup written before it. `read`: the account's
 * record as just read consistently (null: none), saving the first read.
 */
export async function rescoreAccount(
  domain: string,
  initialDeps: ServiceDeps,
  read?: AccountRecord | null,
): Promise<RescoreResult> {
  let deps = initialDeps;
  const pushes = new PushLedger(deps.store);
  // Set once this re-score saved a score whose audiences turned out to be decided by older
  // definitions than the stored ones: it then re-reads the configuration and goes round again.
  let saved: PodMessage[] | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const stored = attempt === 0 && read !== undefined ? read : await deps.store.accounts.get(domain, true);
    const record = stored ?? { domain, version: 0, outbox: [] };
    const pending = pendingMessages(record);
    const overdue = pending.filter((m) => Date.parse(m.at) <= deps.now.getTime() - OUTBOX_GRACE_MS);
    const { score, read: window } = await computeScore(record, deps);
    if (record.score && sameScore(record.score, score)) {
      await pushes.settle(undefined);
      if (!saved) return { outcome: 'unchanged', messages: overdue };
      // Same score under the newer definitions: only its memberships are left to bring in line.
      if ((await syncMembership(record, record.score, record.version, deps)).behind) {
        deps = await withFreshConfig(deps);
        continue;
      }
      return { outcome: 'saved', messages: saved };
    }
    if (record.score?.queuedIn && record.score.queuedIn === score.queuedIn) score.pushedAt = record.score.pushedAt;
    // Entering a queue is a push, recorded before the score is saved (a push recorded after a
    // save that then failed would lose it together with the pod message). Its key is fixed by
    // `now`, so a retry after a lost race writes the same item again, never a second one.
    // The push keeps what it knew (see @intent/calibration), so calibration never reads the
    // account as it is later.
    const entered = score.queuedIn && score.queuedIn !== record.score?.queuedIn && score.pushedAt;
    await pushes.settle(
      entered ? { podId: score.queuedIn as string, pushedAt: score.pushedAt as string, domain } : undefined,
      () =>
        pushEvidence({
          ...score,
          topics: topicSignals(window, deps.config.signals, dayOf(deps.now)),
          firmographics: record.firmographics ?? { domain },
          signals: deps.config.signals,
        }),
    );
    const placement = score.queuedIn ? { podId: score.queuedIn, priority: score.priority } : undefined;
    const changes = podMessagesFor(
      domain,
      record.firmographics,
      { podId: record.score?.queuedIn, score: record.score },
      { podId: score.queuedIn, score },
      deps.now.toISOString(),
      record.version + 1,
    );
    let outcome: 'saved' | 'conflict';
    try {
      outcome = await deps.store.accounts.saveScore(domain, score, placement, record.version, nextOutbox(pending, changes));
    } catch (err) {
      // The redelivery that retries this save has its own `now`: take back this push first.
      await pushes.settle(undefined).catch(() => undefined);
      throw err;
    }
    if (outcome === 'saved') {
      const messages = uniqueById([...(saved ?? []), ...overdue, ...changes]);
      // Audience membership follows the saved score (written by its version, so an older
      // re-score finishing late cannot undo a newer one's membership) under the definitions
      // it was evaluated with, unless newer ones are stored: then the score is evaluated again.
      if ((await syncMembership(record, score, record.version + 1, deps)).behind) {
        saved = messages;
        deps = await withFreshConfig(deps);
        continue;
      }
      return { outcome: 'saved', messages };
    }
    // Lost a version race: another writer saved first. Read again after a short jittered wait.
    await conflictBackoff(attempt + 1);
  }
  throw new ConflictRetriesExhausted('re-scoring', domain, MAX_ATTEMPTS);
}

/** The account's undelivered messages; an entry that is no pod message is left out (the next save drops it). */
function pendingMessages(record: AccountRecord): PodMessage[] {
  return record.outbox.flatMap((entry) => {
    const parsed = PodMessage.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}

/** One copy per id: a second pass of the loop reads back, as pending, what the first pass saved. */
function uniqueById(messages: PodMessage[]): PodMessage[] {
  return [...new Map(messages.map((m) => [m.id, m])).values()];
}

/** The same dependencies with the configuration read again (strongly consistent). */
async function withFreshConfig(deps: ServiceDeps): Promise<ServiceDeps> {
  return { ...deps, config: await deps.store.config.getAll(true) };
}

/**
 * The score an account would get now, without saving it: what `GET /v1/accounts/{domain}`
 * shows for an account that has firmographics but was never scored. It is not in any queue.
 */
export async function previewScore(record: AccountRecord, deps: ServiceDeps): Promise<ScoreSnapshot> {
  const { score } = await computeScore(record, deps);
  return { ...score, queuedIn: undefined, pushedAt: undefined };
}

/**
 * The push record of one re-score: written before the save, and removed again when a retry
 * after a lost race decides differently (another writer's save won, with its own push).
 */
class PushLedger {
  private written?: PushRef;
  constructor(private readonly store: Store) {}

  /** `evidence`: the push's snapshot, built only when a push is written. */
  async settle(push: PushRef | undefined, evidence?: () => Record<string, unknown>): Promise<void> {
    const same = (a: PushRef, b: PushRef) => a.podId === b.podId && a.pushedAt === b.pushedAt && a.domain === b.domain;
    if (this.written && !(push && same(this.written, push))) {
      await this.store.pushes.remove(this.written);
      this.written = undefined;
    }
    if (push && !this.written) {
      await this.store.pushes.record(push, evidence?.());
      this.written = push;
    }
  }
}

/** The account's score now and the rollups it was computed from (`read`). */
async function computeScore(
  record: AccountRecord,
  { store, config, now }: ServiceDeps,
): Promise<{ score: ScoreSnapshot; read: DailyRollup[] }> {
  const read = await store.rollups.since(record.domain, evidenceStart(config, now));
  return { score: scoreFromEvidence(record, read, config, now), read };
}

/** The first day whose rollups a score under `config` at `now` reads. */
export function evidenceStart(config: Config, now: Date): string {
  return addDays(dayOf(now), 1 - evidenceDays(config.signals));
}

/**
 * The score `record` gets under `config` at `now` from its rollups (those before the
 * configuration's `evidenceStart` are left out, so rollups read for a wider window serve too):
 * what a re-score would save, computed without reading or writing anything.
 */
export function scoreFromEvidence(record: AccountRecord, read: readonly DailyRollup[], config: Config, now: Date): ScoreSnapshot {
  const today = dayOf(now);
  const start = evidenceStart(config, now);
  const rollups = read.filter((r) => r.day >= start);
  const topicNames = Object.fromEntries(config.topics.topics.map((t) => [t.id, t.name]));
  const intent = scoreIntent(rollups, config.signals, today, { domain: record.domain, topicNames });
  const firmographics = record.firmographics ?? { domain: record.domain };
  const fit = scoreFit(firmographics, config.icp);
  const lastIntentDay = rollups.reduce<string | undefined>((max, r) => (!max || r.day > max ? r.day : max), undefined);
  const readiness = salesReadiness(fit, intent, config.icp, config.sla, record.hold ?? {}, now, lastIntentDay);
  const pod = routeToPod(firmographics, config.pods.pods);
  const claimLive = record.claim && record.claim.expiresAt > now.toISOString();
  // An account stays queued while sales-ready or claimed; a live claim keeps it in the pod
  // whose rep holds it, even if territory rules now route it elsewhere.
  const claimedIn = claimLive ? record.score?.queuedIn : undefined;
  const queuedIn = claimedIn ?? (readiness.salesReady && pod ? pod : undefined);
  const p = priority(fit, intent);
  return {
    fit,
    intent,
    priority: p,
    salesReady: readiness.salesReady,
    readiness: readiness.reasons,
    pod,
    queuedIn,
    explanation: explainAccount(fit, intent, readiness, pod),
    scoredAt: now.toISOString(),
    pushedAt: queuedIn ? now.toISOString() : undefined,
    audiences: audiencesOf({ fit, intent, priority: p, pod }, record.hold, config.audiences),
  };
}

/** Equal for a person: everything but the time it was computed. */
function sameScore(a: ScoreSnapshot, b: ScoreSnapshot): boolean {
  const strip = ({ scoredAt: _s, pushedAt: _p, ...rest }: ScoreSnapshot) => rest;
  return sameJson(strip(a), strip(b));
}

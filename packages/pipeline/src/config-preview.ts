import type { Config } from '@intent/config';
import type { AccountRecord } from '@intent/qualify';
import { type Store, scoredShards, type WalkPosition } from '@intent/store';
import { evidenceStart, scoreFromEvidence } from './rescore';
import { Budget, startWhile, WALK_PAGE, walkShard } from './walk';

/**
 * What a candidate configuration would change, computed without storing anything: each scored
 * account scored twice from the same reads, under the stored configuration and under the
 * candidate, at the same instant, so what differs is the candidate's doing (not the decay the
 * hourly walk applies anyway). Walks what a configuration change's re-score walks (every shard
 * of the scored-accounts index, live and cold) in order, within a budget; where it stopped is
 * the continuation. Design notes: docs/config-revisions.md.
 */

/** The shards a preview walks, in this order: those the re-score after a change walks. */
const SHARDS = scoredShards(['live', 'cold']);
export const PREVIEW_SHARD_COUNT = SHARDS.length;

/** Accounts evaluated at once: enough to hide DynamoDB's latency (one rollup Query each). */
const CONCURRENCY = 8;
/** Domains listed per pod or audience and direction; the counts are always whole. */
const PREVIEW_LIST_CAP = 100;
/** Domains listed in one answer in all (pods, then audiences): about 250 KB at most. */
const PREVIEW_LISTED_CAP = 1_000;

/** Where a preview goes on: a shard (its index in the walk) and the position in it (absent: its start). */
export interface PreviewPosition {
  shard: number;
  pos?: WalkPosition;
}

/** The accounts whose standing would change, per pod queue and per audience, in full. */
export interface PreviewChanges {
  pods: Map<string, { enter: string[]; leave: string[] }>;
  audiences: Map<string, { join: string[]; leave: string[] }>;
  /** Accounts evaluated. */
  scanned: number;
  /** Where the next request starts; absent when the walk reached the end. */
  next?: PreviewPosition;
}

/** How much one preview request may do: accounts started before `deadline` (epoch ms), `maxAccounts` at most. */
export interface PreviewBounds {
  deadline: number;
  maxAccounts: number;
  clock?: () => Date;
}

/**
 * Evaluates the scored accounts from `from` on (the beginning when absent) within `bounds`:
 * per account, its record and its rollups for the wider of the two evidence windows, then its
 * pod queue and audiences under `current` and under `candidate`. Reads only.
 */
export async function previewConfigChange(
  store: Store,
  current: Config,
  candidate: Config,
  now: Date,
  from: PreviewPosition | undefined,
  bounds: PreviewBounds,
): Promise<PreviewChanges> {
  const budget = new Budget(bounds.deadline, bounds.clock ?? (() => new Date()), bounds.maxAccounts);
  // Pages no longer than the accounts it may start: a small bound reads no more records than it uses.
  const pageSize = Math.max(1, Math.min(WALK_PAGE, bounds.maxAccounts));
  const changes: PreviewChanges = { pods: new Map(), audiences: new Map(), scanned: 0 };
  const start = [evidenceStart(current, now), evidenceStart(candidate, now)].sort()[0] as string;
  const evaluate = async (domain: string, record: AccountRecord | undefined) => {
    changes.scanned++;
    if (!record) return; // erased or removed since the index listed it: nothing to place
    const rollups = await store.rollups.since(domain, start);
    const before = scoreFromEvidence(record, rollups, current, now);
    const after = scoreFromEvidence(record, rollups, candidate, now);
    if (before.queuedIn !== after.queuedIn) {
      if (before.queuedIn) entry(changes.pods, before.queuedIn, { enter: [], leave: [] }).leave.push(domain);
      if (after.queuedIn) entry(changes.pods, after.queuedIn, { enter: [], leave: [] }).enter.push(domain);
    }
    const was = new Set(before.audiences ?? []);
    const is = new Set(after.audiences ?? []);
    for (const id of is) if (!was.has(id)) entry(changes.audiences, id, { join: [], leave: [] }).join.push(domain);
    for (const id of was) if (!is.has(id)) entry(changes.audiences, id, { join: [], leave: [] }).leave.push(domain);
  };
  for (let shard = from?.shard ?? 0; shard < SHARDS.length; shard++) {
    const pos = shard === from?.shard ? from.pos : undefined;
    if (shard !== from?.shard && !budget.left()) {
      changes.next = { shard };
      break;
    }
    const walked = await walkShard(
      store,
      SHARDS[shard] as (typeof SHARDS)[number],
      pos,
      budget,
      async (domains) => {
        const records = await store.accounts.getMany(domains);
        return startWhile(domains, CONCURRENCY, budget, (domain) => evaluate(domain, records.get(domain)));
      },
      pageSize,
    );
    if (!walked.done) {
      changes.next = { shard, ...(walked.next ? { pos: walked.next } : {}) };
      break;
    }
  }
  return changes;
}

function entry<T>(map: Map<string, T>, key: string, empty: T): T {
  const found = map.get(key);
  if (found) return found;
  map.set(key, empty);
  return empty;
}

/** A preview's changes as answered: every count whole, domains sorted and listed within the caps. */
export function boundedPreview(changes: PreviewChanges) {
  let room = PREVIEW_LISTED_CAP;
  const list = (domains: string[]) => {
    const listed = [...domains].sort().slice(0, Math.min(PREVIEW_LIST_CAP, room));
    room -= listed.length;
    return listed;
  };
  const sorted = <T>(map: Map<string, T>) => [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const pods = Object.fromEntries(
    sorted(changes.pods).map(([id, c]) => [
      id,
      { enter: list(c.enter), leave: list(c.leave), entering: c.enter.length, leaving: c.leave.length },
    ]),
  );
  const audiences = Object.fromEntries(
    sorted(changes.audiences).map(([id, c]) => [
      id,
      { join: list(c.join), leave: list(c.leave), joining: c.join.length, leaving: c.leave.length },
    ]),
  );
  return { pods, audiences, scanned: changes.scanned };
}

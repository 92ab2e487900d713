import type { Store, WalkPage, WalkPosition, WalkShard } from '@intent/store';

/**
 * The time one step of a walk may start accounts in. The first account of a step always
 * starts, so every step moves its walk on, however small the budget.
 */
export class Budget {
  private started = 0;

  /** `maxStarts`: accounts it lets start in all, besides the deadline (a request's bound on work). */
  constructor(
    private readonly deadline: number,
    private readonly clock: () => Date,
    private readonly maxStarts = Number.POSITIVE_INFINITY,
  ) {}

  /** No deadline: what a walk done in one go uses. */
  static unlimited(clock: () => Date = () => new Date()): Budget {
    return new Budget(Number.POSITIVE_INFINITY, clock);
  }

  /** May one more account start? Counts it if so. */
  take(): boolean {
    if (this.started >= this.maxStarts || (this.started > 0 && !this.left())) return false;
    this.started++;
    return true;
  }

  /** Time remains before the deadline, and starts remain. */
  left(): boolean {
    return this.started < this.maxStarts && this.clock().getTime() < this.deadline;
  }
}

/**
 * Runs `fn` over `items` in order, `limit` in flight, starting each only while `budget` allows;
 * settles every item it starts (a failure is `fn`'s to record). Answers how many it started:
 * always a prefix of `items`.
 */
export async function startWhile<T>(
  items: readonly T[],
  limit: number,
  budget: Budget,
  fn: (item: T) => Promise<void>,
): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && budget.take()) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return next;
}

/** Where one step of a walk stopped. */
export interface Walked {
  /** Where the next step starts; absent when `done`. */
  next?: WalkPosition;
  done: boolean;
}

/** Accounts read per Query of a shard: one batch read of their records each. */
export const WALK_PAGE = 100;

/**
 * Walks one shard from `start`, a page of domains at a time: `visit` starts what it can of a
 * page within the budget and answers how many domains it started (a prefix). Stops when the
 * shard is done or the budget is spent, answering where the next step starts: after the last
 * domain started, so no account is done twice and none is skipped.
 */
export async function walkShard(
  store: Store,
  shard: WalkShard,
  start: WalkPosition | undefined,
  budget: Budget,
  visit: (domains: string[]) => Promise<number>,
  pageSize = WALK_PAGE,
): Promise<Walked> {
  let pos = start;
  for (;;) {
    const page = await pageOf(store, shard, pageSize, pos);
    const domains = page.items.map((i) => i.domain);
    const started = domains.length ? await visit(domains) : 0;
    if (started < domains.length) return { next: started > 0 ? page.items[started - 1]?.after : pos, done: false };
    if (!page.next) return { done: true };
    pos = page.next;
    if (!budget.left()) return { next: pos, done: false };
  }
}

function pageOf(store: Store, shard: WalkShard, limit: number, start: WalkPosition | undefined): Promise<WalkPage> {
  return 'audience' in shard
    ? store.audiences.memberPage(shard.audience, limit, start)
    : store.accounts.scoredPage(shard, limit, start);
}

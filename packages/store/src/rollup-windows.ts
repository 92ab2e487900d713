import type { DailyRollup } from '@intent/intent';
import { perOwner } from './per-owner';
import type { Table } from './table';

/**
 * The rollup items a saved score was computed from: per day, the item's incarnation and version
 * (`<born>/<ver>`). Kept on the account item with the score, at most one entry per day of the
 * evidence window (90 days at most: under 3 KB).
 */
export type RollupBasis = Record<string, string>;

/** One day's rollups as of one version of its item. */
export interface DayView {
  born: string | undefined;
  ver: number;
  rollups: DailyRollup[];
}

const basisEntry = (view: DayView) => `${view.born ?? ''}/${view.ver}`;
function parseEntry(entry: string): { born: string; ver: number } {
  const at = entry.lastIndexOf('/');
  return { born: entry.slice(0, at), ver: Number(entry.slice(at + 1)) };
}

/** An account's rollups of a window and the basis they make. */
export interface RollupWindow {
  rollups: DailyRollup[];
  basis: RollupBasis;
}

/**
 * The rollup days of recently re-scored accounts this process knows exactly: from its own
 * version-guarded writes (the writer's view after a write is the item) and its reads. A re-score
 * uses them instead of a Query when they are at least as new as every day of the basis the
 * account's last saved score was computed from. That is safe because every writer of a rollup
 * day re-scores the account after its write (or its records are retried) and saves the day's
 * version in the basis, and a save is guarded by the account's version: a day written elsewhere
 * is either in the basis read (and then missing or older here: this process reads again) or its
 * writer's own save, still to come, is the later one. Bounded: MAX_ACCOUNTS accounts, least
 * recently used first out (an account out of it is read again).
 */
export class RollupWindows {
  private readonly accounts = new Map<string, Map<string, DayView>>();

  /** Keeps a day's view when it is newer than the one known (or of another incarnation of the item). */
  put(domain: string, day: string, view: DayView) {
    const days = this.touch(domain);
    const known = days.get(day);
    if (!known || known.born !== view.born || known.ver < view.ver) days.set(day, view);
  }

  /**
   * Takes in a read of the account's days from `fromDay` on and answers the window they make
   * together with what is known. A read never takes a day back to an older version: a batch of
   * this process may have written a day after the read was answered, and its view is then the
   * newer one (its re-score saves it in the basis, and the next re-score must find it here).
   */
  merge(domain: string, fromDay: string, read: Map<string, DayView>): RollupWindow {
    for (const [day, view] of read) this.put(domain, day, view);
    return windowOf(this.touch(domain), fromDay);
  }

  /**
   * The account's rollups from `fromDay` on, when what is known covers `basis` (each of its
   * days known, of the same incarnation, at least as new); undefined when it must be read.
   */
  window(domain: string, fromDay: string, basis: RollupBasis | undefined): RollupWindow | undefined {
    const days = this.accounts.get(domain);
    if (!days || !basis) return undefined;
    for (const [day, entry] of Object.entries(basis)) {
      if (day < fromDay) continue;
      const known = days.get(day);
      const wanted = parseEntry(entry);
      if (!known || (known.born ?? '') !== wanted.born || known.ver < wanted.ver) return undefined;
    }
    this.touch(domain);
    return windowOf(days, fromDay);
  }

  private touch(domain: string): Map<string, DayView> {
    const days = this.accounts.get(domain) ?? new Map<string, DayView>();
    this.accounts.delete(domain);
    this.accounts.set(domain, days);
    this.trim();
    return days;
  }

  private trim() {
    for (const oldest of this.accounts.keys()) {
      if (this.accounts.size <= MAX_ACCOUNTS) break;
      this.accounts.delete(oldest);
    }
  }
}

/** The days from `fromDay` on, in day order, and their basis. */
export function windowOf(days: Map<string, DayView>, fromDay: string): RollupWindow {
  const inWindow = [...days].filter(([day]) => day >= fromDay).sort(([a], [b]) => a.localeCompare(b));
  return {
    rollups: inWindow.flatMap(([, view]) => view.rollups),
    basis: Object.fromEntries(inWindow.map(([day, view]) => [day, basisEntry(view)])),
  };
}

/**
 * Accounts whose rollup days a process keeps: a busy hour's touched accounts several times over
 * (each a few days of a few topics' counters and at most PEOPLE_CAP people per topic and day).
 */
const MAX_ACCOUNTS = 2_000;

/** Per table: a process's store has one. */
export const rollupWindowsOf = perOwner<Table, RollupWindows>(() => new RollupWindows());

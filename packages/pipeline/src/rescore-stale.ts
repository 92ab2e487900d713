import type { PodMessage } from './pod-messages';
import { type RescoreDeps, rescoreAccounts } from './rescore';

/**
 * The decay walk: re-scores every account with live intent or a queue place. Scores decay
 * and stages lapse with time alone; `rescoreAccount` writes only those that changed.
 */
export async function rescoreStale(
  deps: RescoreDeps,
): Promise<{ scanned: number; saved: number; failed: number; podMessages: PodMessage[] }> {
  const domains = await deps.store.accounts.liveDomains();
  const results = await rescoreAccounts(domains, deps, 8);
  const podMessages: PodMessage[] = [];
  let saved = 0;
  for (const r of results) {
    if (r.status === 'fulfilled') {
      podMessages.push(...r.value.messages);
      if (r.value.outcome === 'saved') saved++;
    }
  }
  // A failed account is retried by the next run; the others' messages must still go out.
  const failed = results.filter((r) => r.status === 'rejected').length;
  return { scanned: domains.length, saved, failed, podMessages };
}

import type { Fit } from '@intent/fit';
import type { AccountIntent } from '@intent/intent';
import type { Readiness } from './readiness';

/**
 * The sentences a person reads about an account, most decisive first: the verdict and why,
 * then the intent story, then the fit criteria. Repeated sentences are dropped, since the
 * readiness reasons quote the exclusion that the fit reasons also carry.
 */
export function explainAccount(fit: Fit, intent: AccountIntent, readiness: Readiness, pod?: string): string[] {
  const verdict = readiness.salesReady
    ? pod
      ? `Sales-ready and routed to pod ${pod}.`
      : 'Sales-ready.'
    : pod
      ? `Not sales-ready yet; pod ${pod} covers this account.`
      : 'Not sales-ready yet.';
  const fitSummary = fit.excluded ? 'Fit: excluded (tier D, score 0).' : `Fit: tier ${fit.tier}, score ${fit.score} of 100.`;
  const all = [verdict, ...readiness.reasons, ...intent.explanation, fitSummary, ...fit.reasons.map((r) => r.message)];
  return [...new Set(all.map((s) => s.trim()).filter((s) => s !== ''))];
}

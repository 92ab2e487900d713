import { type Firmographics, type IcpSuggestionResult, suggestIcp } from '@intent/fit';
import type { Store } from '@intent/store';

/**
 * An ICP proposed from the accounts with `closed_won` feedback against the whole base (every
 * account with firmographics): two small reads, the won index and the firmographics listing.
 * A won account without firmographics still counts as won; it just adds no evidence.
 */
export async function icpSuggestion(store: Store): Promise<IcpSuggestionResult> {
  const [wonDomains, base] = await Promise.all([store.feedback.wonDomains(), store.firmographics.all()]);
  const byDomain = new Map(base.map((f) => [f.domain, f]));
  const won: Firmographics[] = wonDomains.map((domain) => byDomain.get(domain) ?? { domain });
  return suggestIcp(won, base);
}

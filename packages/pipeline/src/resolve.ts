import type { IngestMessage } from '@intent/events';
import type { Store } from '@intent/store';
import type { IpRangeMatcher } from './ip-ranges';

/**
 * Resolves events to account domains, in timestamp order, so an identify earlier in a batch
 * resolves the same visitor's later events. Links are cached for the batch: one read per
 * visitor, one write per new link.
 */
export class AccountResolver {
  private readonly visitors = new Map<string, { domain: string; linkedAt: string } | undefined>();
  private readonly users = new Map<string, string | undefined>();
  /** Visitors newly linked to a domain in this batch: their anonymous past is stitched once. */
  readonly linked = new Map<string, string>();

  constructor(
    private readonly store: Store,
    private readonly ipRanges?: IpRangeMatcher,
  ) {}

  /**
   * The account of an event, and whether a person identified themselves (identify or group,
   * now or earlier): hand-raises count only for identified people.
   */
  async resolve(message: IngestMessage): Promise<Resolution | undefined> {
    const claimed = claimedDomain(message);
    if (claimed) {
      await this.link(message, claimed);
      return { domain: claimed, identified: true };
    }
    if (message.userHash) {
      const byUser = await this.cached(this.users, message.userHash, (h) => this.store.identity.userDomain(h));
      if (byUser) return { domain: byUser, identified: true };
    }
    if (message.anonymousId) {
      const link = await this.cached(this.visitors, message.anonymousId, (a) => this.store.identity.visitorLink(a));
      if (link) return { domain: link.domain, identified: true, linkedAt: link.linkedAt };
    }
    // The network an anonymous visitor comes from names the company, not the person.
    const byIp = message.ip ? this.ipRanges?.match(message.ip) : undefined;
    return byIp ? { domain: byIp.domain, identified: false } : undefined;
  }

  private async link(message: IngestMessage, domain: string) {
    const at = message.timestamp;
    if (message.anonymousId && this.visitors.get(message.anonymousId)?.domain !== domain) {
      if ((await this.store.identity.linkVisitor(message.anonymousId, domain, at)) === 'linked') {
        this.linked.set(message.anonymousId, domain);
      }
      this.visitors.set(message.anonymousId, { domain, linkedAt: at });
    }
    if (message.userHash && this.users.get(message.userHash) !== domain) {
      await this.store.identity.linkUser(message.userHash, domain, at);
      this.users.set(message.userHash, domain);
    }
  }

  private async cached<T>(cache: Map<string, T | undefined>, key: string, load: (k: string) => Promise<T | undefined>) {
    if (!cache.has(key)) cache.set(key, await load(key));
    return cache.get(key);
  }
}

export interface Resolution {
  domain: string;
  identified: boolean;
  /** For a visitor link: when the visitor identified. Earlier events count as stitching counts them. */
  linkedAt?: string;
}

/** The account an identify or group call names: a group's domain, else a work email's domain. */
function claimedDomain(message: IngestMessage): string | undefined {
  const id = message.identity;
  if (!id) return undefined;
  return message.type === 'group' ? (id.domain ?? id.emailDomain) : (id.emailDomain ?? id.domain);
}

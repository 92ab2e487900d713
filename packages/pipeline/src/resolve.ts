import type { IngestMessage } from '@intent/events';
import type { IdentityLink, Store } from '@intent/store';
import type { IpRangeMatcher } from './ip-ranges';

/**
 * Resolves events to account domains, in timestamp order, so an identify earlier in a batch
 * resolves the same visitor's later events. `load` reads every link the batch may need in one
 * batch read (a miss is known too), so resolving costs no further reads; a new link costs one write.
 * An erased visitor's events resolve to 'erased' (see `resolve`).
 */
export class AccountResolver {
  private visitors = new Map<string, IdentityLink>();
  private users = new Map<string, IdentityLink>();
  /** Visitors erased (`DELETE /v1/visitors/{anonymousId}`): their link is a tombstone. */
  private erased = new Set<string>();
  /** Visitors newly linked to a domain in this batch: their anonymous past is stitched once. */
  readonly linked = new Map<string, string>();

  constructor(
    private readonly store: Store,
    private readonly ipRanges?: IpRangeMatcher,
  ) {}

  /** Reads the links of every visitor and user the messages name. */
  async load(messages: IngestMessage[]): Promise<void> {
    const anonymousIds = messages.flatMap((m) => (m.anonymousId ? [m.anonymousId] : []));
    const userHashes = messages.flatMap((m) => (m.userHash ? [m.userHash] : []));
    ({
      visitors: this.visitors,
      users: this.users,
      erased: this.erased,
    } = await this.store.identity.links(anonymousIds, userHashes));
  }

  /**
   * Reads these visitors' links again, consistently: answers those linked (to a new domain)
   * since `load`, which `resolve` now knows.
   */
  async reload(anonymousIds: string[]): Promise<Map<string, string>> {
    const late = new Map<string, string>();
    if (!anonymousIds.length) return late;
    const { visitors, erased } = await this.store.identity.links(anonymousIds, [], { consistent: true });
    for (const anonymousId of erased) this.erased.add(anonymousId);
    for (const [anonymousId, link] of visitors) {
      if (this.visitors.get(anonymousId)?.domain === link.domain) continue;
      this.visitors.set(anonymousId, link);
      late.set(anonymousId, link.domain);
    }
    return late;
  }

  /**
   * The account of an event, and whether a person identified themselves (identify or group,
   * now or earlier): hand-raises count only for identified people.
   *
   * Through an identity link (a visitor's or a user's earlier identify) only engaged signals
   * count. A link made while the event waits elsewhere in the pipeline (another batch, a late
   * identify) can reach a page view only after it was processed; pending events keep engaged
   * signals only, so such a page view could never count on the first pass but would on a
   * replay. Counting none keeps a replay exact; page views still count by network.
   * An event older than its link resolves as it did before the link: by network first.
   *
   * 'erased': the event's visitor was erased. It counts for no account (not even by network),
   * is not kept for stitching, links nothing (not its user either) and names no person: a
   * replay or a late event of an erased visitor cannot bring it back.
   */
  async resolve(message: IngestMessage): Promise<Resolution | 'erased' | undefined> {
    if (message.anonymousId && this.erased.has(message.anonymousId)) return 'erased';
    const claimed = claimedDomain(message);
    if (claimed) {
      if ((await this.link(message, claimed)) === 'erased') return 'erased';
      return { domain: claimed, identified: true };
    }
    const byUser = message.userHash ? this.users.get(message.userHash) : undefined;
    const byVisitor = message.anonymousId ? this.visitors.get(message.anonymousId) : undefined;
    for (const link of [byUser, byVisitor]) {
      if (link && message.timestamp >= link.linkedAt) return { domain: link.domain, identified: true, engagedOnly: true };
    }
    // The network an anonymous visitor comes from names the company, not the person.
    const byIp = message.ip ? this.ipRanges?.match(message.ip) : undefined;
    if (byIp) return { domain: byIp.domain, identified: false };
    // As stitching would count it once the visitor's pending events are attributed.
    return byVisitor ? { domain: byVisitor.domain, identified: true, engagedOnly: true } : undefined;
  }

  private async link(message: IngestMessage, domain: string): Promise<'linked' | 'erased'> {
    const at = message.timestamp;
    if (message.anonymousId && this.visitors.get(message.anonymousId)?.domain !== domain) {
      // Erased since `load` read its link: the tombstone refuses the link.
      if ((await this.store.identity.linkVisitor(message.anonymousId, domain, at)) === 'erased') {
        this.erased.add(message.anonymousId);
        return 'erased';
      }
      this.linked.set(message.anonymousId, domain);
      this.visitors.set(message.anonymousId, { domain, linkedAt: at });
    }
    if (message.userHash && this.users.get(message.userHash)?.domain !== domain) {
      await this.store.identity.linkUser(message.userHash, domain, at);
      this.users.set(message.userHash, { domain, linkedAt: at });
    }
    return 'linked';
  }
}

export interface Resolution {
  domain: string;
  identified: boolean;
  /** Resolved through an identity link: page views do not count (see `resolve`). */
  engagedOnly?: boolean;
}

/** The account an identify or group call names: a group's domain, else a work email's domain. */
function claimedDomain(message: IngestMessage): string | undefined {
  const id = message.identity;
  if (!id) return undefined;
  return message.type === 'group' ? (id.domain ?? id.emailDomain) : (id.emailDomain ?? id.domain);
}

import type { IngestMessage } from '@intent/events';
import type { IdentityLink, Store } from '@intent/store';
import type { IpRangeMatcher } from './ip-ranges';

/**
 * Resolves events to account domains, in timestamp order, so an identify earlier in a batch
 * resolves the same visitor's later events. `load` reads every link the batch may need in one
 * batch read (a miss is known too), so resolving costs no further reads; a new link costs one write.
 * Page views need no link (they count by network only), so `load` reads none for them.
 * An erased visitor's events resolve to 'erased' (see `resolve`).
 */
export class AccountResolver {
  private visitors = new Map<string, IdentityLink>();
  private users = new Map<string, IdentityLink>();
  /** Visitors erased (`DELETE /v1/visitors/{anonymousId}`) since the register was read: their link is a tombstone. */
  private readonly erasedSince = new Set<string>();
  /** Visitors newly linked to a domain in this batch: their anonymous past is stitched once. */
  readonly linked = new Map<string, string>();

  /** `erased`: the register of erased visitors, read before this batch (see `ErasedVisitorCache`). */
  constructor(
    private readonly store: Store,
    private readonly erased: ReadonlySet<string>,
    private readonly ipRanges?: IpRangeMatcher,
  ) {}

  /** Reads the links of every visitor and user the messages other than page views name. */
  async load(messages: IngestMessage[]): Promise<void> {
    const linkable = messages.filter((m) => m.signal !== 'page_view');
    const anonymousIds = linkable.flatMap((m) => (m.anonymousId ? [m.anonymousId] : []));
    const userHashes = linkable.flatMap((m) => (m.userHash ? [m.userHash] : []));
    const links = await this.store.identity.links(anonymousIds, userHashes);
    ({ visitors: this.visitors, users: this.users } = links);
    for (const anonymousId of links.erased) this.erasedSince.add(anonymousId);
  }

  /**
   * Reads these visitors' links again, consistently: answers those linked (to a new domain)
   * since `load`, which `resolve` now knows.
   */
  async reload(anonymousIds: string[]): Promise<Map<string, string>> {
    const late = new Map<string, string>();
    if (!anonymousIds.length) return late;
    const { visitors, erased } = await this.store.identity.links(anonymousIds, [], { consistent: true });
    for (const anonymousId of erased) this.erasedSince.add(anonymousId);
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
   * Page views count by network only, never through an identity link (a visitor's or a user's
   * earlier identify): a link made while the page view waits elsewhere in the pipeline
   * (another batch, a late identify) could reach it only after it was processed, as pending
   * events keep engaged signals only; so whether a link counted it would hang on the order of
   * batches, and a replay would not be exact. Engaged signals count through links too.
   * An event older than its link resolves as it did before the link: by network first.
   *
   * 'erased': the event's visitor was erased. It counts for no account (not even by network),
   * is not kept for stitching, links nothing (not its user either) and names no person: a
   * replay or a late event of an erased visitor cannot bring it back.
   */
  async resolve(message: IngestMessage): Promise<Resolution | 'erased' | undefined> {
    if (message.anonymousId && this.isErased(message.anonymousId)) return 'erased';
    const claimed = claimedDomain(message);
    if (claimed) {
      if ((await this.link(message, claimed)) === 'erased') return 'erased';
      return { domain: claimed, identified: true };
    }
    const byUser = message.userHash ? this.users.get(message.userHash) : undefined;
    const byVisitor = message.anonymousId ? this.visitors.get(message.anonymousId) : undefined;
    if (message.signal !== 'page_view') {
      for (const link of [byUser, byVisitor]) {
        if (link && message.timestamp >= link.linkedAt) return { domain: link.domain, identified: true };
      }
    }
    // The network an anonymous visitor comes from names the company, not the person.
    const byIp = message.ip ? this.ipRanges?.match(message.ip) : undefined;
    if (byIp) return { domain: byIp.domain, identified: false };
    // As stitching would count it once the visitor's pending events are attributed.
    return byVisitor && message.signal !== 'page_view' ? { domain: byVisitor.domain, identified: true } : undefined;
  }

  private isErased(anonymousId: string): boolean {
    return this.erased.has(anonymousId) || this.erasedSince.has(anonymousId);
  }

  private async link(message: IngestMessage, domain: string): Promise<'linked' | 'erased'> {
    const at = message.timestamp;
    if (message.anonymousId && this.visitors.get(message.anonymousId)?.domain !== domain) {
      // Erased since `load` read its link: the tombstone refuses the link.
      if ((await this.store.identity.linkVisitor(message.anonymousId, domain, at)) === 'erased') {
        this.erasedSince.add(message.anonymousId);
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
}

/** The account an identify or group call names: a group's domain, else a work email's domain. */
function claimedDomain(message: IngestMessage): string | undefined {
  const id = message.identity;
  if (!id) return undefined;
  return message.type === 'group' ? (id.domain ?? id.emailDomain) : (id.emailDomain ?? id.domain);
}

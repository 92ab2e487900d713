import type { IngestMessage } from '@intent/events';
import type { IdentityLink, Store } from '@intent/store';
import { settleLimited } from './concurrency';
import type { IpRangeMatcher } from './ip-ranges';

/**
 * Resolves events to account domains, in timestamp order, so an identify earlier in a batch
 * resolves the same visitor's later events. `load` reads every link the batch may need in one
 * batch read (a miss is known too), so resolving costs no further reads. A new visitor link
 * costs one conditional write (an erased visitor's tombstone refuses it); new user links are
 * written together (`saveLinks`).
 * Page views need no link (they count by network only), so `load` reads none for them.
 * An erased visitor's events resolve to 'erased' (see `resolve`).
 */
export class AccountResolver {
  private visitors = new Map<string, IdentityLink>();
  private users = new Map<string, IdentityLink>();
  /** Visitors whose link this batch found a tombstone (erased since the register was read). */
  private readonly tombstoned = new Set<string>();
  /** Visitors newly linked to a domain in this batch: their anonymous past is stitched once. */
  readonly linked = new Map<string, string>();
  /** Users newly linked in this batch, written together by `saveLinks`. */
  private readonly newUserLinks = new Map<string, IdentityLink>();

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
    for (const anonymousId of links.erased) this.tombstoned.add(anonymousId);
  }

  /**
   * Reads these visitors' links again, consistently: answers those linked (to a new domain)
   * since `load`, which `resolve` now knows.
   */
  async reload(anonymousIds: string[]): Promise<Map<string, string>> {
    const late = new Map<string, string>();
    if (!anonymousIds.length) return late;
    const { visitors, erased } = await this.store.identity.links(anonymousIds, [], { consistent: true });
    for (const anonymousId of erased) this.tombstoned.add(anonymousId);
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
  resolve(message: IngestMessage): Resolution | 'erased' | undefined {
    if (message.anonymousId && this.isErased(message.anonymousId)) return 'erased';
    const claimed = claimedDomain(message);
    if (claimed) {
      this.link(message, claimed);
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
    return this.erased.has(anonymousId) || this.tombstoned.has(anonymousId);
  }

  /** Links the message's visitor and user to the domain, in memory: `saveLinks` writes them. */
  private link(message: IngestMessage, domain: string): void {
    const link = { domain, linkedAt: message.timestamp };
    if (message.anonymousId && this.visitors.get(message.anonymousId)?.domain !== domain) {
      this.linked.set(message.anonymousId, domain);
      this.visitors.set(message.anonymousId, link);
    }
    if (message.userHash && this.users.get(message.userHash)?.domain !== domain) {
      this.users.set(message.userHash, link);
      this.newUserLinks.set(message.userHash, link);
    }
  }

  /**
   * Writes the links this batch made: each visitor's with its own conditional write (an
   * erased visitor's tombstone refuses it), at most `concurrency` at once, then the users'
   * in batch writes, unless a visitor turned out erased: then nothing more is written and
   * the batch must be resolved again from the start (`refused`), as its links and the events
   * they resolved are wrong. `failed`: visitors and users whose links could not be written.
   */
  async saveLinks(concurrency: number): Promise<{ refused: boolean; failedVisitors: Set<string>; failedUsers: Set<string> }> {
    const visitors = [...this.linked];
    const results = await settleLimited(visitors, concurrency, ([anonymousId, domain]) =>
      this.store.identity.linkVisitor(anonymousId, domain, this.visitors.get(anonymousId)?.linkedAt ?? ''),
    );
    const failedVisitors = new Set(
      visitors.flatMap(([anonymousId], i) => (results[i]?.status === 'rejected' ? [anonymousId] : [])),
    );
    const refused = results.some((r) => r.status === 'fulfilled' && r.value === 'erased');
    if (refused || !this.newUserLinks.size) return { refused, failedVisitors, failedUsers: new Set() };
    try {
      await this.store.identity.linkUsers(this.newUserLinks);
      return { refused, failedVisitors, failedUsers: new Set() };
    } catch {
      return { refused, failedVisitors, failedUsers: new Set(this.newUserLinks.keys()) };
    }
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

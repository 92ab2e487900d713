import type { IngestMessage } from '@intent/events';
import { dayOf } from '@intent/intent';
import { claimSubject, type Store, type UserLink, type VisitorLink } from '@intent/store';
import { settleLimited } from './concurrency';
import type { IpRangeMatcher } from './ip-ranges';

/**
 * Distinct account domains one visitor (browser) may claim by identify or group calls in a UTC
 * day, and one client address: beyond, its further claims are quarantined (ignored and counted).
 * A person identifies with one company; an address is often an office or a carrier's NAT, so it
 * gets more room. Someone forging identifies to push accounts into queues claims many.
 */
const CLAIM_LIMITS = { visitorDomainsPerDay: 3, addressDomainsPerDay: 20 } as const;

/**
 * Resolves events to account domains, in timestamp order, so an identify earlier in a batch
 * resolves the same visitor's later events. `load` reads every link the batch may need in one
 * batch read (a miss is known too), so resolving costs no further reads. A new visitor link
 * costs one conditional write (an erased visitor's tombstone refuses it); new user links are
 * written together (`saveLinks`).
 * Page views need no link (they count by network only), so `load` reads none for them, except
 * the user link of a page view under a user id alone: it names the event's person (`personOf`).
 * An erased visitor's events resolve to 'erased' (see `resolve`).
 */
export class AccountResolver {
  private visitors = new Map<string, VisitorLink>();
  private users = new Map<string, UserLink>();
  /** Visitors whose link this batch found a tombstone (erased since the register was read). */
  private readonly tombstoned = new Set<string>();
  /** Visitors newly linked to a domain in this batch: their anonymous past is stitched once. */
  readonly linked = new Map<string, string>();
  /** Visitors whose link gained a user in this batch (same domain): written with the new ones. */
  private readonly newVisitorUsers = new Set<string>();
  /** Users newly linked in this batch, written together by `saveLinks`. */
  private readonly newUserLinks = new Map<string, UserLink>();
  /** Domains each claim subject (`claimSubjects`) claimed, by `<day>|<subject>`: read by `load`. */
  private claims = new Map<string, Set<string>>();
  /** Domains claimed in this batch that `claims` did not hold, written by `saveClaims`. */
  private readonly newClaims = new Map<string, { day: string; subject: string; domains: Set<string> }>();
  /** Ids of identify and group messages whose claim was quarantined (`CLAIM_LIMITS`): the rollup counts them. */
  readonly quarantined = new Set<string>();

  /** `erased`: the register of erased visitors, read before this batch (see `ErasedVisitorCache`). */
  constructor(
    private readonly store: Store,
    private readonly erased: ReadonlySet<string>,
    private readonly ipRanges?: IpRangeMatcher,
  ) {}

  /**
   * Reads the links of every visitor and user the messages other than page views name, and
   * the users of page views under a user id alone.
   */
  async load(messages: IngestMessage[]): Promise<void> {
    const linkable = messages.filter((m) => m.signal !== 'page_view');
    const anonymousIds = linkable.flatMap((m) => (m.anonymousId ? [m.anonymousId] : []));
    const userHashes = messages.flatMap((m) => (m.userHash && (m.signal !== 'page_view' || !m.anonymousId) ? [m.userHash] : []));
    const [links, claims] = await Promise.all([this.store.identity.links(anonymousIds, userHashes), this.loadClaims(messages)]);
    ({ visitors: this.visitors, users: this.users } = links);
    for (const anonymousId of links.erased) this.tombstoned.add(anonymousId);
    this.claims = claims;
  }

  /** What the subjects of the batch's identify and group calls claimed on their days. */
  private async loadClaims(messages: IngestMessage[]): Promise<Map<string, Set<string>>> {
    const byDay = new Map<string, Set<string>>();
    for (const m of messages) {
      if (!claimedDomain(m)) continue;
      const day = dayOf(m.timestamp);
      const subjects = byDay.get(day) ?? new Set<string>();
      for (const s of claimSubjects(m)) subjects.add(s.subject);
      byDay.set(day, subjects);
    }
    const claims = new Map<string, Set<string>>();
    for (const [day, subjects] of byDay) {
      for (const [subject, domains] of await this.store.domainClaims.read(day, subjects))
        claims.set(`${day}|${subject}`, domains);
    }
    return claims;
  }

  /**
   * Whether a claim of `domain` is within its subjects' daily limits; if it is, it is counted
   * against them (in memory; `saveClaims` writes it). A domain a subject already claimed that
   * day is always within.
   */
  private admitClaim(message: IngestMessage, domain: string): boolean {
    const day = dayOf(message.timestamp);
    const subjects = claimSubjects(message).map((s) => ({ ...s, key: `${day}|${s.subject}` }));
    const known = (key: string) => this.claims.get(key) ?? new Set<string>();
    if (subjects.some((s) => !known(s.key).has(domain) && known(s.key).size >= s.max)) return false;
    for (const { key, subject } of subjects) {
      if (known(key).has(domain)) continue;
      this.claims.set(key, new Set([...known(key), domain]));
      const added = this.newClaims.get(key) ?? { day, subject, domains: new Set<string>() };
      added.domains.add(domain);
      this.newClaims.set(key, added);
    }
    return true;
  }

  /**
   * Writes the claims this batch added. Best effort: a lost write only lets a subject claim a
   * little more before it is quarantined, which does not justify retrying the batch's events.
   */
  async saveClaims(concurrency: number): Promise<void> {
    await settleLimited([...this.newClaims.values()], concurrency, ({ day, subject, domains }) =>
      this.store.domainClaims.add(day, subject, domains),
    );
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
    if (claimed && !this.admitClaim(message, claimed)) this.quarantined.add(message.id);
    else if (claimed) {
      const userKept = this.link(message, claimed);
      return { domain: claimed, identified: true, ...(userKept ? { userLinkKept: true } : {}) };
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

  /**
   * The person an event counts as in distinct-people sets. A visitor (browser) is one person
   * from its first event on, so an event with an anonymous id counts as the visitor's person
   * (the collector's `person`), before and after it identifies. An event under a user id alone
   * counts as the person of the visitor the user identified with, once the user is linked to
   * one; before that, as the user's own hash.
   */
  personOf(message: IngestMessage): string {
    if (message.anonymousId || !message.userHash) return message.person;
    return this.users.get(message.userHash)?.person ?? message.person;
  }

  private isErased(anonymousId: string): boolean {
    return this.erased.has(anonymousId) || this.tombstoned.has(anonymousId);
  }

  /**
   * Links the message's visitor and user to the domain, in memory: `saveLinks` writes them.
   * The visitor's link keeps the users it identified with, and a user's link the person of the
   * first visitor it identified with: what makes them one person (`personOf`) and lets erasing
   * the visitor find the user.
   * A user linked to one account keeps that link: anyone holding the public write key can send
   * an identify with someone's user id and another company's email, and re-pointing the user
   * would move that person's server-side events (under the user id alone) to that company.
   * Answers true when the message asked for such a move (the rollup counts it).
   */
  private link(message: IngestMessage, domain: string): boolean {
    const { anonymousId, userHash } = message;
    const linkedAt = message.timestamp;
    if (anonymousId) {
      const known = this.visitors.get(anonymousId);
      const users = known?.users ?? [];
      const newUser = userHash && !users.includes(userHash) ? [userHash] : [];
      if (known?.domain !== domain) {
        this.linked.set(anonymousId, domain);
        this.visitors.set(anonymousId, { domain, linkedAt, users: [...users, ...newUser] });
      } else if (newUser.length) {
        this.newVisitorUsers.add(anonymousId);
        this.visitors.set(anonymousId, { ...known, users: [...users, ...newUser] });
      }
    }
    if (userHash) {
      const known = this.users.get(userHash);
      if (known && known.domain !== domain) return true;
      const person = known?.person ?? (anonymousId ? message.person : undefined);
      if (known?.domain !== domain || known.person !== person) {
        const link = known?.domain === domain ? { ...known, person } : { domain, linkedAt, person };
        this.users.set(userHash, link);
        this.newUserLinks.set(userHash, link);
      }
    }
    return false;
  }

  /**
   * Writes the links this batch made: each visitor's with its own conditional write (an
   * erased visitor's tombstone refuses it), at most `concurrency` at once, then the users'
   * in batch writes, unless a visitor turned out erased: then nothing more is written and
   * the batch must be resolved again from the start (`refused`), as its links and the events
   * they resolved are wrong. `failed`: visitors and users whose links could not be written.
   */
  async saveLinks(concurrency: number): Promise<{ refused: boolean; failedVisitors: Set<string>; failedUsers: Set<string> }> {
    const visitors = [...new Set([...this.linked.keys(), ...this.newVisitorUsers])].flatMap((anonymousId) => {
      const link = this.visitors.get(anonymousId);
      return link ? [{ anonymousId, link }] : [];
    });
    const results = await settleLimited(visitors, concurrency, ({ anonymousId, link }) =>
      this.store.identity.linkVisitor(anonymousId, link),
    );
    const failedVisitors = new Set(
      visitors.flatMap(({ anonymousId }, i) => (results[i]?.status === 'rejected' ? [anonymousId] : [])),
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
  /** The event's user id is linked to another account, and stays so (`AccountResolver.link`). */
  userLinkKept?: true;
}

/** Who a claim counts against: the visitor, and the client address it came from. */
function claimSubjects(message: IngestMessage): { subject: string; max: number }[] {
  return [
    ...(message.anonymousId
      ? [{ subject: claimSubject('visitor', message.anonymousId), max: CLAIM_LIMITS.visitorDomainsPerDay }]
      : []),
    ...(message.ip ? [{ subject: claimSubject('address', message.ip), max: CLAIM_LIMITS.addressDomainsPerDay }] : []),
  ];
}

/** The account an identify or group call names: a group's domain, else a work email's domain. */
function claimedDomain(message: IngestMessage): string | undefined {
  const id = message.identity;
  if (!id) return undefined;
  return message.type === 'group' ? (id.domain ?? id.emailDomain) : (id.emailDomain ?? id.domain);
}

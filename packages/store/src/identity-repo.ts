import { erasedEntryEntity, userLinkEntity, visitorLinkEntity } from './identity-entity';
import { ERASED_PK, erasedEntryId, parseLinkPk } from './keys';
import { keyOf, type Table, toAttr } from './table';

/** Where a visitor or a user belongs, and since when (the identify that made the link). */
export interface IdentityLink {
  domain: string;
  linkedAt: string;
}

/**
 * A visitor's link. `users`: the hashed user ids the visitor identified with, so that erasing
 * the visitor finds the users that count as its person (see `UserLink`).
 */
export interface VisitorLink extends IdentityLink {
  users?: string[];
}

/**
 * A user's link. `person`: the person hash of the first visitor (browser) the user identified
 * with: an event carrying the user id alone (a server-side forwarder's) counts as that person,
 * so the visitor and the user are one person in distinct-people sets.
 */
export interface UserLink extends IdentityLink {
  person?: string;
}

/** What erasing a visitor started from: the account it was linked to (if any) and when the erasure was first asked. */
export interface ErasureMark {
  erasedAt: string;
  /** The linked account, until the erasure finishes (a retry after a failure still knows it). */
  domain?: string;
  /** The hashed user ids the visitor identified with, until the erasure finishes. */
  users: string[];
}

/**
 * Links from a visitor (anonymous id) or a user (hashed user id) to the account domain they
 * belong to. An erased visitor's link item becomes a tombstone (`erased`, `erasedAt`, no
 * domain) that stays: it is what keeps a replay or a late event of that visitor from linking
 * or counting it again.
 */
export class IdentityRepository {
  constructor(private readonly table: Table) {}

  /**
   * The links of many visitors and users in one batch read (per 100 keys): what a batch of
   * events needs. Erased visitors come back in `erased`, never as a link.
   */
  async links(
    anonymousIds: Iterable<string>,
    userHashes: Iterable<string>,
    { consistent = false } = {},
  ): Promise<{ visitors: Map<string, VisitorLink>; users: Map<string, UserLink>; erased: Set<string> }> {
    const keys = [...new Set(anonymousIds)].map(visitorLinkEntity.key).concat([...new Set(userHashes)].map(userLinkEntity.key));
    const visitors = new Map<string, VisitorLink>();
    const users = new Map<string, UserLink>();
    const erased = new Set<string>();
    for (const item of keys.length ? await this.table.getMany(keys, consistent) : []) {
      const { kind, id } = parseLinkPk(keyOf(item).pk);
      if (kind === 'user') {
        const { domain, linkedAt = '', person } = userLinkEntity.parse(item);
        if (domain !== undefined) users.set(id, { domain, linkedAt, ...(person === undefined ? {} : { person }) });
        continue;
      }
      const { domain, linkedAt = '', users: userIds = [], erased: isErased } = visitorLinkEntity.parse(item);
      // Checked first: an erasure in progress still holds the domain it is removing the visitor from.
      if (isErased === true) erased.add(id);
      else if (domain !== undefined) visitors.set(id, { domain, linkedAt, ...(userIds.length ? { users: userIds } : {}) });
    }
    return { visitors, users, erased };
  }

  /**
   * Links a visitor to a domain from `link.linkedAt` on; the caller knows the link is new or
   * changed. Answers 'erased' (and writes nothing) when the visitor was erased: it is never
   * linked again.
   */
  async linkVisitor(anonymousId: string, link: VisitorLink): Promise<'linked' | 'erased'> {
    const { domain, linkedAt, users } = link;
    const linked = await this.table.putIf(
      { ...visitorLinkEntity.key(anonymousId), domain, linkedAt, users: users?.length ? new Set(users) : undefined },
      { ConditionExpression: 'attribute_not_exists(erased)' },
    );
    return linked ? 'linked' : 'erased';
  }

  /** Links users (one link each) to domains, in batch writes: a user link has no condition. */
  async linkUsers(links: Map<string, UserLink>): Promise<void> {
    await this.table.writeMany(
      [...links].map(([userHash, { domain, linkedAt, person }]) => ({
        ...userLinkEntity.key(userHash),
        domain,
        linkedAt,
        person,
      })),
    );
  }

  /**
   * Forgets that the user counts as `person` (an erased visitor's), unless it counts as
   * another; the user's link to its account stays. Later events under the user id alone count
   * as the user's own hash.
   */
  async forgetPerson(userHash: string, person: string): Promise<void> {
    // A failed condition: the user counts as another visitor's person, or has no link; nothing to forget.
    await this.table.updateIf(userLinkEntity.key(userHash), {
      UpdateExpression: 'REMOVE #person',
      ConditionExpression: '#person = :person',
      ExpressionAttributeNames: { '#person': 'person' },
      ExpressionAttributeValues: toAttr({ ':person': person }),
    });
  }

  /**
   * Turns the visitor's link into a tombstone, in one write, keeping the linked domain until
   * `finishErasure` so that a retried erasure still knows which account to clean, then enters
   * the visitor in the register of erased visitors under `at` (a retry enters it again, later:
   * readers of the register's newest entries see it either way). Answers the domain (if the
   * visitor was linked) and the time of the first erasure (a repeat keeps it).
   */
  async beginErasure(anonymousId: string, at: string): Promise<ErasureMark> {
    const tombstone = await this.table.update(visitorLinkEntity.key(anonymousId), {
      UpdateExpression: 'SET erased = :t, erasedAt = if_not_exists(erasedAt, :at)',
      ExpressionAttributeValues: toAttr({ ':t': true, ':at': at }),
      ReturnValues: 'ALL_NEW',
    });
    await this.table.put(erasedEntryEntity.key({ at, anonymousId }));
    const { erasedAt = at, domain, users = [] } = tombstone ? visitorLinkEntity.parse(tombstone) : {};
    return { erasedAt, ...(domain === undefined ? {} : { domain }), users };
  }

  /**
   * Visitors entered in the register of erased visitors at `since` or later (all of them
   * without `since`), read consistently: what a consumer adds to the set it keeps.
   */
  async erasedSince(since?: string): Promise<string[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: since ? 'pk = :pk AND sk >= :since' : 'pk = :pk',
      ExpressionAttributeValues: toAttr({ ':pk': ERASED_PK, ...(since ? { ':since': since } : {}) }),
      ConsistentRead: true,
    });
    return items.map((item) => erasedEntryId(erasedEntryEntity.parse(item).sk));
  }

  /** Drops what the tombstone still said about the visitor's account and users: the erasure is complete. */
  async finishErasure(anonymousId: string): Promise<void> {
    await this.table.update(visitorLinkEntity.key(anonymousId), {
      UpdateExpression: 'REMOVE #domain, linkedAt, #users',
      ExpressionAttributeNames: { '#domain': 'domain', '#users': 'users' },
    });
  }
}

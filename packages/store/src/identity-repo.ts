import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { parseLinkPk, userKey, visitorKey } from './keys';
import { type Key, type Table, toAttr } from './table';

/** Where a visitor or a user belongs, and since when (the identify that made the link). */
export interface IdentityLink {
  domain: string;
  linkedAt: string;
}

/** Links from a visitor (anonymous id) or a user (hashed user id) to the account domain they belong to. */
export class IdentityRepository {
  constructor(private readonly table: Table) {}

  /** The links of many visitors and users in one batch read (per 100 keys): what a batch of events needs. */
  async links(anonymousIds: Iterable<string>, userHashes: Iterable<string>, { consistent = false } = {}): Promise<{ visitors: Map<string, IdentityLink>; users: Map<string, IdentityLink> }> {
    const keys = [...new Set(anonymousIds)].map(visitorKey).concat([...new Set(userHashes)].map(userKey));
    const visitors = new Map<string, IdentityLink>();
    const users = new Map<string, IdentityLink>();
    for (const item of keys.length ? await this.table.getMany(keys, consistent) : []) {
      if (typeof item.domain !== 'string') continue;
      const { kind, id } = parseLinkPk(String(item.pk));
      (kind === 'user' ? users : visitors).set(id, { domain: item.domain, linkedAt: String(item.linkedAt ?? '') });
    }
    return { visitors, users };
  }

  /** Links a visitor to a domain from `at` on; the caller knows the link is new or changed. */
  linkVisitor(anonymousId: string, domain: string, at: string): Promise<void> {
    return this.put(visitorKey(anonymousId), domain, at);
  }

  linkUser(userHash: string, domain: string, at: string): Promise<void> {
    return this.put(userKey(userHash), domain, at);
  }

  private async put(key: Key, domain: string, at: string): Promise<void> {
    await this.table.client.send(new PutItemCommand({ TableName: this.table.name, Item: toAttr({ ...key, domain, linkedAt: at }) }));
  }
}

import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { userKey, visitorKey } from './keys';
import { type Table, toAttr } from './table';

/** Links from a visitor (anonymous id) or a user (hashed user id) to the account domain they belong to. */
export class IdentityRepository {
  constructor(private readonly table: Table) {}

  /** The visitor's account and when the visitor identified (the link's time). */
  async visitorLink(anonymousId: string): Promise<{ domain: string; linkedAt: string } | undefined> {
    const item = await this.table.get(visitorKey(anonymousId));
    const domain = domainOf(item);
    return domain ? { domain, linkedAt: String(item?.linkedAt ?? '') } : undefined;
  }

  async userDomain(userHash: string): Promise<string | undefined> {
    return domainOf(await this.table.get(userKey(userHash)));
  }

  /**
   * Links a visitor to a domain. Reads first and writes only a new or changed link, so a
   * replayed identify costs a read, not a write; 'unchanged' says nothing was written.
   */
  async linkVisitor(anonymousId: string, domain: string, at: string): Promise<'linked' | 'unchanged'> {
    return this.link(visitorKey(anonymousId), domain, at);
  }

  async linkUser(userHash: string, domain: string, at: string): Promise<'linked' | 'unchanged'> {
    return this.link(userKey(userHash), domain, at);
  }

  private async link(key: { pk: string; sk: string }, domain: string, at: string) {
    if (domainOf(await this.table.get(key)) === domain) return 'unchanged' as const;
    await this.table.client.send(
      new PutItemCommand({ TableName: this.table.name, Item: toAttr({ ...key, domain, linkedAt: at }) }),
    );
    return 'linked' as const;
  }
}

function domainOf(item: Record<string, unknown> | undefined): string | undefined {
  return typeof item?.domain === 'string' ? item.domain : undefined;
}

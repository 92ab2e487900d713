import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { API_KEY_LISTING_PK, apiKeyByHash, apiKeyListing } from './keys';
import { type Table, toAttr } from './table';

export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
}

/**
 * API keys are stored only as hashes: one item keyed by the hash (the lookup on every request)
 * and one listing item keyed by id (list and revoke). No transactions: the listing item is
 * written first and deleted last, so a half-done create or revoke never leaves a usable key
 * that cannot be listed.
 */
export class ApiKeyRepository {
  constructor(private readonly table: Table) {}

  async create(record: ApiKeyRecord, hash: string): Promise<void> {
    await this.put({ ...apiKeyListing(record.id), ...record, hash });
    await this.put({ ...apiKeyByHash(hash), ...record });
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const item = await this.table.get(apiKeyByHash(hash));
    return item ? pick(item) : undefined;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: toAttr({ ':pk': API_KEY_LISTING_PK }),
    });
    return items.map(pick).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Revokes a key; false when no key has that id. */
  async delete(id: string): Promise<boolean> {
    const listing = await this.table.get(apiKeyListing(id), true);
    if (!listing) return false;
    await this.remove(apiKeyByHash(String(listing.hash)));
    await this.remove(apiKeyListing(id));
    return true;
  }

  private async put(item: Record<string, unknown>) {
    await this.table.client.send(new PutItemCommand({ TableName: this.table.name, Item: toAttr(item) }));
  }

  private async remove(key: { pk: string; sk: string }) {
    await this.table.client.send(new DeleteItemCommand({ TableName: this.table.name, Key: toAttr(key) }));
  }
}

function pick(item: Record<string, unknown>): ApiKeyRecord {
  return {
    id: String(item.id),
    name: String(item.name),
    scopes: Array.isArray(item.scopes) ? item.scopes.filter((s): s is string => typeof s === 'string') : [],
    createdAt: String(item.createdAt),
  };
}

import { z } from 'zod';
import { defineEntity } from './entity';
import { API_KEY_LISTING_PK, apiKeyByHash, apiKeyListing } from './keys';
import { type Table, toAttr } from './table';

const ApiKeyFields = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  /** ISO 8601. */
  createdAt: z.string(),
});

/** An API key as the API shows it: never its hash. */
export type ApiKeyRecord = z.infer<typeof ApiKeyFields>;

/** An API key by its hash (`APIKEY#<hash>` / `KEY`): what every request looks up. */
export const apiKeyEntity = defineEntity({
  name: 'api key',
  key: apiKeyByHash,
  attributes: ApiKeyFields,
  indexes: [],
});

/** An API key's listing item (`APIKEYS` / `<id>`): the key and its hash, so revoking it finds the other item. */
export const apiKeyListingEntity = defineEntity({
  name: 'api key listing',
  key: apiKeyListing,
  attributes: ApiKeyFields.extend({ hash: z.string() }),
  indexes: [],
});

/**
 * API keys are stored only as hashes: one item keyed by the hash (the lookup on every request)
 * and one listing item keyed by id (list and revoke). No transactions: the listing item is
 * written first and deleted last, so a half-done create or revoke never leaves a usable key
 * that cannot be listed.
 */
export class ApiKeyRepository {
  constructor(private readonly table: Table) {}

  async create(record: ApiKeyRecord, hash: string): Promise<void> {
    await this.table.put({ ...apiKeyListingEntity.key(record.id), ...record, hash });
    await this.table.put({ ...apiKeyEntity.key(hash), ...record });
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const item = await this.table.get(apiKeyEntity.key(hash));
    return item ? apiKeyEntity.parse(item) : undefined;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: toAttr({ ':pk': API_KEY_LISTING_PK }),
    });
    return items
      .map((item) => withoutHash(apiKeyListingEntity.parse(item)))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Revokes a key; false when no key has that id. */
  async delete(id: string): Promise<boolean> {
    const item = await this.table.get(apiKeyListingEntity.key(id), true);
    if (!item) return false;
    await this.table.delete(apiKeyEntity.key(apiKeyListingEntity.parse(item).hash));
    await this.table.delete(apiKeyListingEntity.key(id));
    return true;
  }
}

/** A listing item as the API shows the key. */
const withoutHash = ({ hash: _hash, ...record }: z.infer<typeof apiKeyListingEntity.attributes>): ApiKeyRecord => record;

import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { type Config, defaultSection, SECTION_NAMES, SECTION_SCHEMAS, type SectionName } from '@intent/config';
import { configKey } from './keys';
import { fromAttr, type Table, toAttr } from './table';

/**
 * Configuration sections, one item each; a section never written reads as its default. Each
 * item carries `rev`, a counter bumped by every replacement: the revision of the section.
 */
export class ConfigRepository {
  constructor(private readonly table: Table) {}

  /** Every section; `consistent` reads what the latest `put` wrote, not a replica that may lag. */
  async getAll(consistent = false): Promise<Config> {
    const items = await this.table.getMany(SECTION_NAMES.map(configKey), consistent);
    const stored = new Map(items.map((item) => [item.sk as SectionName, item]));
    const config: Partial<Record<SectionName, unknown>> = {};
    const revisions: Partial<Record<SectionName, number>> = {};
    for (const section of SECTION_NAMES) {
      const item = stored.get(section);
      // Stored values were validated on the way in; parsing again fills defaults added since.
      config[section] = item?.value === undefined ? defaultSection(section) : SECTION_SCHEMAS[section].parse(item.value);
      if (typeof item?.rev === 'number') revisions[section] = item.rev;
    }
    return { ...(config as Omit<Config, 'revisions'>), revisions };
  }

  /** Replaces a section; answers its new revision (1 for the first write). */
  async put<S extends SectionName>(section: S, value: Config[S], at: Date): Promise<number> {
    const out = await this.table.client.send(
      new UpdateItemCommand({
        TableName: this.table.name,
        Key: toAttr(configKey(section)),
        UpdateExpression: 'SET #value = :v, updatedAt = :at ADD #rev :one',
        ExpressionAttributeNames: { '#value': 'value', '#rev': 'rev' },
        ExpressionAttributeValues: toAttr({ ':v': value, ':at': at.toISOString(), ':one': 1 }),
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(fromAttr(out.Attributes ?? {}).rev);
  }
}

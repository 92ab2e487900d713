import { type Config, SECTION_NAMES, SECTION_SCHEMAS, type SectionName, defaultSection } from '@intent/config';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { configKey } from './keys';
import { type Table, toAttr } from './table';

/** Configuration sections, one item each; a section never written reads as its default. */
export class ConfigRepository {
  constructor(private readonly table: Table) {}

  async getAll(): Promise<Config> {
    const items = await this.table.getMany(SECTION_NAMES.map(configKey));
    const stored = new Map(items.map((item) => [item.sk as SectionName, item.value]));
    const config: Partial<Record<SectionName, unknown>> = {};
    for (const section of SECTION_NAMES) {
      const value = stored.get(section);
      // Stored values were validated on the way in; parsing again fills defaults added since.
      config[section] = value === undefined ? defaultSection(section) : SECTION_SCHEMAS[section].parse(value);
    }
    return config as Config;
  }

  async put<S extends SectionName>(section: S, value: Config[S], at: Date): Promise<void> {
    await this.table.client.send(
      new PutItemCommand({
        TableName: this.table.name,
        Item: toAttr({ ...configKey(section), value, updatedAt: at.toISOString() }),
      }),
    );
  }
}

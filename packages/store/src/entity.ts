import type { IndexName } from '@intent/resources';
import type { z } from 'zod';
import type { Item, Key } from './table';

/**
 * One item type of the table: how its key is built, what its attributes are (a zod schema: the
 * one definition the compiler and the reads check against), the indexes it appears in and its
 * TTL attribute. Reads go through `parse`, never a cast: an item that is not what its
 * definition says fails loudly, naming the item and the attribute.
 */
export interface EntityDefinition<P, S extends z.ZodType> {
  /** What the item is, in errors. */
  name: string;
  key(params: P): Key;
  attributes: S;
  indexes: readonly IndexName[];
  /** The attribute DynamoDB's TTL reads, when items of this type expire. */
  ttl?: 'expiresAt';
}

export interface Entity<P, S extends z.ZodType> extends EntityDefinition<P, S> {
  parse(item: Item): z.infer<S>;
}

export function defineEntity<P, S extends z.ZodType>(definition: EntityDefinition<P, S>): Entity<P, S> {
  return {
    ...definition,
    parse(item) {
      const parsed = definition.attributes.safeParse(item);
      if (!parsed.success) throw new ItemShapeError(definition.name, item, parsed.error);
      return parsed.data;
    },
  };
}

/** An item read that does not match its definition: which item, and which attributes. */
export class ItemShapeError extends Error {
  constructor(entity: string, item: Item, error: z.ZodError) {
    const where = error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`)
      .join('; ');
    super(`${entity} item ${String(item.pk)} ${String(item.sk ?? '')} is not as defined: ${where}`);
    this.name = 'ItemShapeError';
  }
}

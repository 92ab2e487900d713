import { z } from 'zod';
import { defineEntity } from './entity';
import { erasedEntryKey, userKey, visitorKey } from './keys';

/** A string set attribute (absent when empty: DynamoDB keeps no empty set), read as a sorted list. */
const StringSet = z.set(z.string()).transform((set) => [...set].sort());

/**
 * A visitor's link (`VISITOR#<anonymousId>` / `LINK`): the account domain, since when, and the
 * hashed user ids it identified with. An erased visitor's item is a tombstone: `erased`, when
 * it was first asked, and (until the erasure finishes) the domain and users it is cleaned from.
 */
export const visitorLinkEntity = defineEntity({
  name: 'visitor link',
  key: visitorKey,
  attributes: z.object({
    pk: z.string(),
    domain: z.string().optional(),
    linkedAt: z.string().optional(),
    users: StringSet.optional(),
    erased: z.boolean().optional(),
    erasedAt: z.string().optional(),
  }),
  indexes: [],
});

/**
 * A user's link (`USER#<userHash>` / `LINK`): the account domain, since when, and the person
 * hash of the first visitor the user identified with.
 */
export const userLinkEntity = defineEntity({
  name: 'user link',
  key: userKey,
  attributes: z.object({
    pk: z.string(),
    domain: z.string().optional(),
    linkedAt: z.string().optional(),
    person: z.string().optional(),
  }),
  indexes: [],
});

/** One entry of the register of erased visitors (`ERASED` / `<at>#<anonymousId>`): its key is all it holds. */
export const erasedEntryEntity = defineEntity({
  name: 'erased visitor entry',
  key: (p: { at: string; anonymousId: string }) => erasedEntryKey(p.at, p.anonymousId),
  attributes: z.object({ pk: z.string(), sk: z.string() }),
  indexes: [],
});

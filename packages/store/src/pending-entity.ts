import { z } from 'zod';
import { defineEntity } from './entity';
import { PENDING_ENTRIES, pendingKey } from './keys';

/**
 * An unresolved visitor's engaged events of one day (`PV#<visitorTag>` / `D#<day>`), kept for
 * stitching: a string set of entries (`pendingEntry`), never empty (DynamoDB keeps no empty set).
 */
export const pendingDayEntity = defineEntity({
  name: 'pending day',
  key: ({ anonymousId, day }: { anonymousId: string; day: string }) => pendingKey(anonymousId, day),
  attributes: z.object({
    pk: z.string(),
    sk: z.string(),
    [PENDING_ENTRIES]: z.set(z.string()),
    expiresAt: z.number(),
  }),
  indexes: [],
  ttl: 'expiresAt',
});

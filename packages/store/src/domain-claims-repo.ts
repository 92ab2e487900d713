import { z } from 'zod';
import { defineEntity } from './entity';
import { domainClaimsKey } from './keys';
import { type Table, toAttr } from './table';

/** Keep a day's claims a little past the day, then DynamoDB's TTL removes them. */
const KEEP_DAYS = 2;

/** The domains one subject (a visitor or a client address) claimed on one day (`DCLAIMS#<subject>` / `<day>`). */
export const domainClaimsEntity = defineEntity({
  name: 'domain claims',
  key: ({ subject, day }: { subject: string; day: string }) => domainClaimsKey(subject, day),
  attributes: z.object({
    subject: z.string(),
    /** A string set: absent only if no domain was ever added (DynamoDB keeps no empty set). */
    domains: z.set(z.string()).optional(),
    expiresAt: z.number(),
  }),
  indexes: [],
  ttl: 'expiresAt',
});

/**
 * The account domains each visitor (anonymous id) or client address claimed by identify and
 * group calls on one UTC day: what tells a visitor or address that claims many companies from
 * one that identifies once. One small item per subject and day; written only when a subject
 * claims a domain it had not claimed that day.
 */
export class DomainClaimsRepository {
  constructor(private readonly table: Table) {}

  /** The domains each subject claimed on `day`, in batch reads; a subject with none is absent. */
  async read(day: string, subjects: Iterable<string>): Promise<Map<string, Set<string>>> {
    const unique = [...new Set(subjects)];
    const claimed = new Map<string, Set<string>>();
    if (!unique.length) return claimed;
    for (const item of await this.table.getMany(unique.map((subject) => domainClaimsEntity.key({ subject, day })))) {
      const { subject, domains } = domainClaimsEntity.parse(item);
      if (domains) claimed.set(subject, domains);
    }
    return claimed;
  }

  /** Adds domains to what the subject claimed on `day` (a set: adding one twice is harmless). */
  async add(day: string, subject: string, domains: Iterable<string>): Promise<void> {
    const expiresAt = Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + KEEP_DAYS * 86_400;
    await this.table.updateIf(domainClaimsEntity.key({ subject, day }), {
      UpdateExpression: 'ADD #domains :d SET subject = :s, expiresAt = :exp',
      ExpressionAttributeNames: { '#domains': 'domains' },
      ExpressionAttributeValues: toAttr({ ':d': new Set(domains), ':s': subject, ':exp': expiresAt }),
    });
  }
}

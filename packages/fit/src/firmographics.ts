import { z } from 'zod';
import { normalizeDomain } from './domain';

/**
 * Firmographics as `PUT /v1/accounts` receives them, from JSON or from CSV. CSV cells arrive
 * as strings and empty cells as "", so numbers are coerced and blanks mean "not known"
 * (a blank must never become 0 employees, which would fail a size criterion).
 */

const blankToUndefined = (v: unknown): unknown => (v === null || (typeof v === 'string' && v.trim() === '') ? undefined : v);

function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess(blankToUndefined, schema.optional()).optional();
}

const count = z.coerce.number().int().nonnegative().finite();
const money = z.coerce.number().nonnegative().finite();
const text = z.string().trim().min(1).max(200);

const Domain = z.string().transform((value, ctx) => {
  const d = normalizeDomain(value);
  if (!d) {
    ctx.addIssue({ code: 'custom', message: 'not a valid domain name' });
    return z.NEVER;
  }
  return d;
});

// Tech stacks come as arrays in JSON and as `;`-separated cells in CSV; lower-cased because
// ICP technology lists are lower-cased by the config schema.
const TechStack = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(';') : v),
  z.array(z.string()).transform((xs) => [...new Set(xs.map((x) => x.trim().toLowerCase()).filter((x) => x !== ''))]),
);

export const Firmographics = z.object({
  domain: Domain,
  name: optional(text),
  employees: optional(count),
  revenueUsd: optional(money),
  industry: optional(text),
  country: optional(
    z
      .string()
      .trim()
      .regex(/^[A-Za-z]{2}$/, 'an ISO 3166-1 alpha-2 code such as "US"')
      .toUpperCase(),
  ),
  region: optional(text),
  techStack: optional(TechStack),
  growthStage: optional(text),
  crmId: optional(z.string().trim().min(1).max(128)),
  /** Who owns the account in the CRM (an email or a name): Slack destinations may alert that owner. */
  owner: optional(z.string().trim().min(1).max(200)),
});
export type Firmographics = z.infer<typeof Firmographics>;

import { z } from 'zod';
import { LIMITS } from './limits';
import { MASK_PREFIX } from './site-keys';
import { STAGES, TIERS } from './vocabulary';

/**
 * The `destinations` section: where the pipeline's changes are pushed (signed webhooks, Slack,
 * HubSpot). Secrets in it (a webhook's signing secret, Slack URLs, a HubSpot token) are
 * write-only: the API seals them before they are stored (`enc:v1:` values, see
 * packages/pipeline/src/destination-secrets.ts) or keeps a Secrets Manager ARN as given, and
 * shows either masked (`maskDestinationSecrets`).
 */

export const DESTINATION_EVENTS = [
  'account.qualified',
  'account.updated',
  'account.dequalified',
  'audience.joined',
  'audience.left',
] as const;
export const DestinationEventType = z.enum(DESTINATION_EVENTS);
export type DestinationEventType = z.infer<typeof DestinationEventType>;

/** The prefix of a sealed (encrypted) secret as stored. */
export const SEALED_PREFIX = 'enc:v1:';
/** Secrets under `intent/destinations/` only: the one name prefix the deliver function may read. */
const SECRETS_MANAGER_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:intent\/destinations\/[A-Za-z0-9/_+=.@-]+$/;

/** True for a Secrets Manager reference: kept as given, resolved by the delivery function. */
export const isSecretReference = (value: string) => SECRETS_MANAGER_ARN.test(value);
export const isSealed = (value: string) => value.startsWith(SEALED_PREFIX);

/**
 * A secret as a PUT may give it (`plain`, checked by `plain`), a Secrets Manager ARN, a sealed
 * value (as stored), or the mask GET shows (which the API swaps for the stored value first).
 */
const secret = (plain: z.ZodType<string>) =>
  z
    .string()
    .max(LIMITS.secretChars)
    .superRefine((value, ctx) => {
      if (isSecretReference(value) || isSealed(value)) return;
      if (value.startsWith(MASK_PREFIX)) {
        ctx.addIssue({
          code: 'custom',
          message: 'a masked secret: send the secret itself, or the masked value GET shows for this destination',
        });
        return;
      }
      const parsed = plain.safeParse(value);
      if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
    });

const HttpUrl = z
  .string()
  .max(LIMITS.urlChars)
  .superRefine((u, ctx) => {
    const url = URL.canParse(u) ? new URL(u) : undefined;
    if (!url || !/^https?:$/.test(url.protocol)) ctx.addIssue({ code: 'custom', message: 'an http(s) URL' });
    // A password in a URL would be shown by GET: secrets go in the fields kept write-only.
    else if (url.username || url.password) ctx.addIssue({ code: 'custom', message: 'a URL without a user or password' });
  });

/** The Standard Webhooks form: `whsec_` and the base64 of 24 to 64 random bytes. */
const WebhookSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, {
    message: 'a signing secret in the Standard Webhooks form: "whsec_" and base64',
    abort: true,
  })
  .refine((s) => {
    const bytes = Buffer.from(s.slice('whsec_'.length), 'base64').length;
    return bytes >= 24 && bytes <= 64;
  }, 'the secret must hold 24 to 64 bytes');

const Id = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, "-" and "_", at most 63');

/**
 * Which changes a destination gets, beyond its event types; an empty list lets every value
 * through. `pods`, `tiers` and `stages` narrow the account events, `audiences` the audience ones.
 */
const Filter = z.strictObject({
  pods: z.array(Id).max(LIMITS.filterEntries).default([]),
  tiers: z.array(z.enum(TIERS)).max(TIERS.length).default([]),
  stages: z.array(z.enum(STAGES)).max(STAGES.length).default([]),
  audiences: z.array(Id).max(LIMITS.filterEntries).default([]),
});
export type DestinationFilter = z.infer<typeof Filter>;

const common = {
  id: Id,
  events: z
    .array(DestinationEventType)
    .min(1)
    .max(DESTINATION_EVENTS.length)
    .refine((e) => new Set(e).size === e.length, 'each event at most once'),
  filter: Filter.default({ pods: [], tiers: [], stages: [], audiences: [] }),
};

export const WebhookDestination = z.strictObject({
  ...common,
  type: z.literal('webhook'),
  url: HttpUrl,
  secret: secret(WebhookSecret),
});
export const SlackDestination = z
  .strictObject({
    ...common,
    type: z.literal('slack'),
    /** The incoming webhook of the pod's channel. */
    webhookUrl: secret(HttpUrl).optional(),
    /** An account owner (the `owner` of its firmographics) -> that rep's incoming webhook. */
    byOwner: z
      .record(z.string().min(1).max(LIMITS.entryChars), secret(HttpUrl))
      .refine((m) => Object.keys(m).length <= LIMITS.slackOwners, { message: `at most ${LIMITS.slackOwners} owners` })
      .optional(),
    /** The API's public base URL: alerts link to the account there (without it they show its path). */
    apiBaseUrl: HttpUrl.optional(),
  })
  .refine((d) => d.webhookUrl !== undefined || d.byOwner !== undefined, {
    message: 'a Slack destination needs webhookUrl, byOwner or both',
    path: ['webhookUrl'],
  });
export const HubspotDestination = z.strictObject({
  ...common,
  events: common.events.refine((e) => e.every((t) => t.startsWith('account.')), 'HubSpot takes account events only'),
  type: z.literal('hubspot'),
  /** A private app's access token (scopes crm.objects.companies.read/write, crm.schemas.companies.read/write). */
  accessToken: secret(z.string().min(8).max(LIMITS.secretChars)),
  /** Where the HubSpot API is (default https://api.hubapi.com): a proxy, or a local recorder in tests. */
  baseUrl: HttpUrl.optional(),
});

export const Destination = z.discriminatedUnion('type', [WebhookDestination, SlackDestination, HubspotDestination]);
export type Destination = z.infer<typeof Destination>;
export type WebhookDestination = z.infer<typeof WebhookDestination>;

export const DestinationsSection = z.strictObject({
  destinations: z
    .array(Destination)
    .max(LIMITS.destinations)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((d, i) => {
        if (seen.has(d.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate id "${d.id}"` });
        seen.add(d.id);
      });
    }),
});
export type DestinationsConfig = z.infer<typeof DestinationsSection>;

/** A secret field of a destination: its path under the destination, and its value. */
export interface SecretField {
  path: string[];
  value: string;
}

/** Every secret a destination holds, by path. */
export function secretFields(d: Destination): SecretField[] {
  if (d.type === 'webhook') return [{ path: ['secret'], value: d.secret }];
  if (d.type === 'hubspot') return [{ path: ['accessToken'], value: d.accessToken }];
  return [
    ...(d.webhookUrl ? [{ path: ['webhookUrl'], value: d.webhookUrl }] : []),
    ...Object.entries(d.byOwner ?? {}).map(([owner, value]) => ({ path: ['byOwner', owner], value })),
  ];
}

/** The destination with each secret replaced by `f(secret)`. */
export function mapSecrets(d: Destination, f: (value: string, path: string[]) => string): Destination {
  if (d.type === 'webhook') return { ...d, secret: f(d.secret, ['secret']) };
  if (d.type === 'hubspot') return { ...d, accessToken: f(d.accessToken, ['accessToken']) };
  return {
    ...d,
    ...(d.webhookUrl ? { webhookUrl: f(d.webhookUrl, ['webhookUrl']) } : {}),
    ...(d.byOwner ? { byOwner: Object.fromEntries(Object.entries(d.byOwner).map(([o, v]) => [o, f(v, ['byOwner', o])])) } : {}),
  };
}

/** What GET shows of a stored secret: a reference as it is, anything else masked. */
function maskSecret(stored: string): string {
  return isSecretReference(stored) ? stored : `${MASK_PREFIX}${stored.slice(-4)}`;
}

/** The section as the API shows it: every secret masked. */
export function maskDestinationSecrets(section: DestinationsConfig): DestinationsConfig {
  return { destinations: section.destinations.map((d) => mapSecrets(d, maskSecret)) };
}

/**
 * A PUT body with each masked secret that stands for the same destination's stored secret (same
 * id, same field) replaced by the stored value, so putting back what GET showed keeps the
 * secrets. Anything else stays for the schema to judge; works on the raw body.
 */
export function restoreMaskedSecrets(body: unknown, stored: DestinationsConfig): unknown {
  if (!body || typeof body !== 'object' || !Array.isArray((body as { destinations?: unknown }).destinations)) return body;
  const storedById = new Map(stored.destinations.map((d) => [d.id, d]));
  const destinations = (body as { destinations: unknown[] }).destinations.map((raw) => {
    if (!raw || typeof raw !== 'object') return raw;
    const id = (raw as { id?: unknown }).id;
    const before = typeof id === 'string' ? storedById.get(id) : undefined;
    if (!before) return raw;
    const storedByPath = new Map(secretFields(before).map((f) => [f.path.join('\u0000'), f.value]));
    const restored = structuredClone(raw) as Record<string, unknown>;
    for (const [path, value] of storedByPath) {
      const parts = path.split('\u0000');
      const holder = parts
        .slice(0, -1)
        .reduce<unknown>(
          (node, k) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[k] : undefined),
          restored,
        );
      const last = parts[parts.length - 1] as string;
      if (holder && typeof holder === 'object' && (holder as Record<string, unknown>)[last] === maskSecret(value)) {
        (holder as Record<string, unknown>)[last] = value;
      }
    }
    return restored;
  });
  return { ...body, destinations };
}

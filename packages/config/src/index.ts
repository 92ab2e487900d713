import { z } from 'zod';
import { DestinationsSection } from './destinations';
import { LIMITS } from './limits';
import { MASK_PREFIX } from './site-keys';
import { STAGES, TIERS } from './vocabulary';

export * from './destinations';
export { LIMITS } from './limits';
export { MASK_PREFIX, maskServerKeys, restoreMaskedKeys } from './site-keys';
export { STAGES, type Stage } from './vocabulary';

/**
 * The configuration sections of the public contract. `PUT /v1/config/{section}` replaces a
 * whole section; each schema fills in defaults so a fresh stack works unconfigured.
 */

export const SIGNALS = [
  'page_view',
  'content_read',
  'content_download',
  'webinar_registration',
  'pricing_view',
  'demo_request',
] as const;
export const Signal = z.enum(SIGNALS);
export type Signal = z.infer<typeof Signal>;

/** The tracked events that `track` calls may name directly (a `page` call carries `page_view`). */
export const TRACK_SIGNALS = SIGNALS.filter((s) => s !== 'page_view');

/**
 * How far back an event may be: the collector refuses older ones, so no rollup, pending page or
 * window reaches further.
 */
export const EVENT_HISTORY_DAYS = 90;

const Id = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, "-" and "_", at most 63');
const Range = z
  .strictObject({ min: z.number().nonnegative().optional(), max: z.number().nonnegative().optional() })
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, {
    message: 'min must not exceed max',
  });
export type Range = z.infer<typeof Range>;
const FitScore = z.number().min(0).max(100);

/** Lower-cased, trimmed entries: at most `max` of them, each at most `chars` long. */
const lowerList = (max: number = LIMITS.criteria, chars: number = LIMITS.entryChars) =>
  z.array(z.string().trim().min(1).max(chars).toLowerCase()).max(max).default([]);
const domainList = () => lowerList(LIMITS.domains, LIMITS.domainChars);
const countryList = z.array(z.string().trim().length(2).toUpperCase()).max(LIMITS.criteria).default([]);
/** A list of an enumeration's values: never longer than the enumeration. */
const enumList = <const T extends readonly [string, ...string[]]>(values: T) => z.array(z.enum(values)).max(values.length);
const Name = z.string().min(1).max(LIMITS.nameChars);

/** A whole section fits the one DynamoDB item it is stored in. */
function withinSectionBytes(value: unknown, ctx: z.RefinementCtx): void {
  const bytes = new TextEncoder().encode(JSON.stringify(value)).length;
  if (bytes > LIMITS.sectionBytes) {
    ctx.addIssue({ code: 'custom', message: `the section is ${bytes} bytes as JSON; at most ${LIMITS.sectionBytes}` });
  }
}

export const Site = z.strictObject({
  id: Id,
  name: Name,
  /** Public: it is in every page, so what it may assert is limited (see `trustBrowserTraits`). */
  writeKey: z.string().min(6).max(LIMITS.writeKeyChars),
  /**
   * Secret, for server-side forwarders: events sent with it may set `context.ip`,
   * `traits.domain` and `group` calls, and their hand-raises count as verified. Long enough
   * that it cannot be guessed; a masked value (what GET shows) is refused unless it stands
   * for the site's stored key (see `restoreMaskedKeys`).
   */
  serverWriteKey: z
    .string()
    .min(LIMITS.serverWriteKeyMinChars)
    .max(LIMITS.writeKeyChars)
    .refine((k) => !k.startsWith(MASK_PREFIX), 'a masked key: send the key itself, or the masked value GET shows for this site')
    .optional(),
  /** Lets browser (public-key) events link accounts by `traits.domain` and `group` calls; never `context.ip`. */
  trustBrowserTraits: z.boolean().default(false),
  /** Events per second per write key (each of the site's keys has its own), bursts up to two seconds' worth. */
  rateLimit: z.number().int().min(LIMITS.minRateLimit).max(LIMITS.maxRateLimit).default(LIMITS.defaultRateLimit),
  /** Events per second from one client address with the public key, bursts up to two seconds' worth. */
  addressRateLimit: z.number().int().min(LIMITS.minRateLimit).max(LIMITS.maxRateLimit).default(LIMITS.defaultAddressRateLimit),
  // Stored as origins (scheme://host[:port], lower case, no path), the form browsers send.
  allowedOrigins: z
    .array(
      z
        .string()
        .max(LIMITS.urlChars)
        .url()
        .transform((o) => new URL(o).origin),
    )
    .max(LIMITS.originsPerSite)
    .default([]),
  consentRequired: z.boolean().default(false),
  topicRules: z
    .array(
      z.strictObject({
        pathPrefix: z.string().startsWith('/').max(LIMITS.urlChars),
        topics: z.array(Id).min(1).max(LIMITS.topicsPerRule),
      }),
    )
    .max(LIMITS.topicRulesPerSite)
    .default([]),
  engagedRead: z
    .strictObject({
      activeSeconds: z.number().int().min(1).max(3600).default(30),
      scrollPercent: z.number().int().min(1).max(100).default(60),
    })
    .default({ activeSeconds: 30, scrollPercent: 60 }),
});
export type Site = z.infer<typeof Site>;

export const SitesSection = z
  .strictObject({
    sites: z
      .array(Site)
      .max(LIMITS.sites)
      .superRefine((sites, ctx) => {
        uniqueBy(sites, (s) => s.id, 'id', ctx);
        // Public and server keys share one namespace: a key names one site and one kind.
        const keys = new Set<string>();
        sites.forEach((site, i) => {
          for (const field of ['writeKey', 'serverWriteKey'] as const) {
            const key = site[field];
            if (key === undefined) continue;
            if (keys.has(key)) ctx.addIssue({ code: 'custom', path: [i, field], message: `duplicate write key "${key}"` });
            keys.add(key);
          }
        });
      }),
  })
  .superRefine(withinSectionBytes);

export const TopicsSection = z
  .strictObject({
    topics: z
      .array(z.strictObject({ id: Id, name: Name }))
      .max(LIMITS.topics)
      .superRefine((topics, ctx) => uniqueBy(topics, (t) => t.id, 'id', ctx)),
  })
  .superRefine(withinSectionBytes);

export const SignalsSection = z
  .strictObject({
    weights: z
      .strictObject(
        Object.fromEntries(SIGNALS.map((s) => [s, z.number().min(0).max(100)])) as {
          [K in Signal]: z.ZodNumber;
        },
      )
      .partial()
      .default({})
      .transform((w) => ({ ...DEFAULT_WEIGHTS, ...w })),
    eventMap: z
      .record(z.string().min(1).max(LIMITS.eventNameChars), z.enum(TRACK_SIGNALS as [Signal, ...Signal[]]))
      .refine((map) => Object.keys(map).length <= LIMITS.eventMapEntries, {
        message: `at most ${LIMITS.eventMapEntries} event names`,
      })
      .default({}),
    handRaise: enumList(SIGNALS).default(['demo_request', 'pricing_view']),
    windowDays: z.number().int().min(1).max(EVENT_HISTORY_DAYS).default(14),
    halfLifeDays: z.number().min(1).max(365).default(14),
    surgeReads: z.number().int().min(1).max(50).default(3),
  })
  .superRefine(withinSectionBytes);

export const IcpSection = z
  .strictObject({
    employees: Range.optional(),
    revenueUsd: Range.optional(),
    industries: lowerList(),
    countries: countryList,
    regions: lowerList(),
    techStack: z.strictObject({ required: lowerList(), bonus: lowerList() }).default({ required: [], bonus: [] }),
    growthStages: lowerList(),
    exclude: z
      .strictObject({
        domains: domainList(),
        industries: lowerList(),
        freeMail: z.boolean().default(true),
        students: z.boolean().default(true),
      })
      .default({ domains: [], industries: [], freeMail: true, students: true }),
    tiers: z
      // Fit scores lie in 0..100: a threshold outside it is a tier nobody (or everybody) reaches.
      .strictObject({ A: FitScore.default(80), B: FitScore.default(60), C: FitScore.default(40) })
      .default({ A: 80, B: 60, C: 40 }),
    salesReadyTiers: enumList(TIERS).default(['A', 'B']),
    /**
     * The account intent score (0-100) an account needs, besides its tier and stage, to be
     * sales-ready. 0 (the default): the stage alone decides. Calibration proposes it from
     * which pushes sales accepted (see docs/calibration.md).
     */
    salesReadyIntent: z.number().min(0).max(100).default(0),
  })
  .superRefine(withinSectionBytes);

export const PodMatch = z.strictObject({
  countries: countryList.optional(),
  regions: lowerList().optional(),
  industries: lowerList().optional(),
  employees: Range.optional(),
  revenueUsd: Range.optional(),
  domains: domainList().optional(),
});
export const PodsSection = z
  .strictObject({
    pods: z
      .array(z.strictObject({ id: Id, name: Name, match: PodMatch.default({}) }))
      .min(1)
      .max(LIMITS.pods)
      .superRefine((pods, ctx) => uniqueBy(pods, (p) => p.id, 'id', ctx)),
  })
  .superRefine(withinSectionBytes);

export const AudiencesSection = z
  .strictObject({
    audiences: z
      .array(
        z.strictObject({
          id: Id,
          name: Name,
          filter: z
            .strictObject({
              tiers: enumList(TIERS).default([]),
              stages: enumList(STAGES).default([]),
              topics: z.array(Id).max(LIMITS.filterEntries).default([]),
              pods: z.array(Id).max(LIMITS.filterEntries).default([]),
              minPriority: z.number().min(0).max(100).default(0),
              excludeOutcomes: z.array(z.string().max(LIMITS.entryChars)).max(LIMITS.filterEntries).default([]),
            })
            .default({ tiers: [], stages: [], topics: [], pods: [], minPriority: 0, excludeOutcomes: [] }),
        }),
      )
      .max(LIMITS.audiences)
      .superRefine((audiences, ctx) => uniqueBy(audiences, (a) => a.id, 'id', ctx)),
  })
  .superRefine(withinSectionBytes);

export const SlaSection = z
  .strictObject({
    firstTouchHours: z.number().positive().max(LIMITS.slaHours).default(24),
    feedbackHours: z.number().positive().max(LIMITS.slaHours).default(48),
    claimHours: z.number().positive().max(LIMITS.slaHours).default(24),
    rejectCooloffDays: z.number().nonnegative().max(LIMITS.cooloffDays).default(30),
  })
  .superRefine(withinSectionBytes);

export const SECTION_SCHEMAS = {
  sites: SitesSection,
  topics: TopicsSection,
  signals: SignalsSection,
  icp: IcpSection,
  pods: PodsSection,
  audiences: AudiencesSection,
  sla: SlaSection,
  destinations: DestinationsSection.superRefine(withinSectionBytes),
} as const;
export type SectionName = keyof typeof SECTION_SCHEMAS;
export const SECTION_NAMES = Object.keys(SECTION_SCHEMAS) as SectionName[];

export type SitesConfig = z.infer<typeof SitesSection>;
export type TopicsConfig = z.infer<typeof TopicsSection>;
export type SignalsConfig = z.infer<typeof SignalsSection>;
export type IcpConfig = z.infer<typeof IcpSection>;
export type Pod = z.infer<typeof PodsSection>['pods'][number];
export type PodsConfig = z.infer<typeof PodsSection>;
export type AudiencesConfig = z.infer<typeof AudiencesSection>;
export type SlaConfig = z.infer<typeof SlaSection>;

/** Every section, parsed: what the domain functions take. */
export interface Config {
  sites: SitesConfig;
  topics: TopicsConfig;
  signals: SignalsConfig;
  icp: IcpConfig;
  pods: PodsConfig;
  audiences: AudiencesConfig;
  sla: SlaConfig;
  destinations: z.infer<typeof DestinationsSection>;
  /**
   * How many times each stored section was replaced (a counter bumped by every `PUT`), as read
   * with the sections; absent or 0 for a section never stored. Audience membership is ordered
   * by the revision of the definitions that decided it, so a writer holding older definitions
   * can tell it is behind.
   */
  revisions?: Partial<Record<SectionName, number>>;
}

/** The revision of a section in this configuration: 0 when it was never stored. */
export function revisionOf(config: Pick<Config, 'revisions'>, section: SectionName): number {
  return config.revisions?.[section] ?? 0;
}

const DEFAULT_WEIGHTS: Record<Signal, number> = {
  page_view: 1,
  content_read: 2,
  content_download: 3,
  webinar_registration: 3,
  pricing_view: 5,
  demo_request: 8,
};

/** The write key of the fresh stack's one topic-less site. */
export const DEV_WRITE_KEY = 'wk_dev';

const RAW_DEFAULTS: Record<SectionName, unknown> = {
  sites: { sites: [{ id: 'dev', name: 'Development site', writeKey: DEV_WRITE_KEY }] },
  topics: { topics: [] },
  signals: {},
  icp: {},
  pods: { pods: [{ id: 'default', name: 'Default pod', match: {} }] },
  audiences: { audiences: [] },
  sla: {},
  destinations: { destinations: [] },
};

/** The defaults of a fresh, unconfigured stack, section by section. */
export function defaultSection<S extends SectionName>(section: S): Config[S] {
  return SECTION_SCHEMAS[section].parse(RAW_DEFAULTS[section]) as Config[S];
}

/** True when the ICP section names no criterion at all (every non-excluded account fits, tier B). */
export function icpIsEmpty(icp: IcpConfig): boolean {
  return (
    !icp.employees &&
    !icp.revenueUsd &&
    icp.industries.length === 0 &&
    icp.countries.length === 0 &&
    icp.regions.length === 0 &&
    icp.techStack.required.length === 0 &&
    icp.techStack.bonus.length === 0 &&
    icp.growthStages.length === 0
  );
}

function uniqueBy<T>(items: T[], key: (t: T) => string, field: string, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [i, field], message: `duplicate ${field} "${k}"` });
    seen.add(k);
  });
}

/**
 * The bounds of every list and string in the configuration sections, in one place. Nothing a
 * client sends may grow stored state without bound: configuration is stored one section per
 * DynamoDB item (400 KB at most), is read by every function, and its topics decide which
 * counter attributes the pipeline writes. Generous for real use; `PUT /v1/config/{section}`
 * answers 400 naming the field path of whatever exceeds them.
 */
export const LIMITS = {
  /** Bytes of one section as JSON; under DynamoDB's 400 KB item, with room for the item's other fields. */
  sectionBytes: 256 * 1024,
  /** Characters of a display name: a site's, a topic's, a pod's, an audience's. */
  nameChars: 200,
  /** Characters of one criterion: an industry, a region, a technology, a growth stage, an outcome. */
  entryChars: 200,
  /** Characters of a domain (DNS allows 253). */
  domainChars: 253,
  /** Characters of an allowed origin or of a URL rule's path prefix. */
  urlChars: 2048,
  /** Sites in the `sites` section. */
  sites: 100,
  /** Allowed origins per site. */
  originsPerSite: 100,
  /** URL rules per site. */
  topicRulesPerSite: 500,
  /** Topics one URL rule assigns: no more than one event can count. */
  topicsPerRule: 20,
  /** Topics in the `topics` section: the topic ids events may count. */
  topics: 100,
  /**
   * Topics one event counts: URL-rule topics first, then configured ones the event declares, in
   * its order. The rest are left out of the event and counted as `ignoredTopics`.
   */
  topicsPerEvent: 20,
  /** Custom event names in `signals.eventMap`. */
  eventMapEntries: 500,
  /** Characters of a custom event name: what the collector accepts as `event`. */
  eventNameChars: 200,
  /** Entries of a criteria list: ICP and pod industries, countries, regions, technologies, growth stages. */
  criteria: 500,
  /** Domains of a list: the ICP's excluded domains, a pod's named accounts. */
  domains: 5_000,
  /** Pods in the `pods` section. */
  pods: 100,
  /** Audiences in the `audiences` section. */
  audiences: 200,
  /** Entries of an audience filter's topics, pods and excluded outcomes. */
  filterEntries: 100,
  /** Characters of a write key, public or server. */
  writeKeyChars: 128,
  /** Characters of a server write key at least: a secret must not be guessable. */
  serverWriteKeyMinChars: 24,
  /**
   * Events per second per write key by default (bursts up to twice that): about 86 million
   * events a day, far above a busy site's snippet traffic, low enough that a forged flood from
   * many addresses cannot buy the whole pipeline's throughput.
   */
  defaultRateLimit: 1_000,
  /**
   * Events per second from one client address with a site's public key by default (bursts up
   * to twice that). The snippet sends at most 10 events every 2 s per tab: 100 leaves room for
   * an office of busy readers behind one address, and stops one client posting thousands.
   */
  defaultAddressRateLimit: 100,
  /** The lowest `rateLimit` and `addressRateLimit`: a burst (two seconds' worth) must hold a full batch of 100 events. */
  minRateLimit: 50,
  /** The highest `rateLimit` and `addressRateLimit` a site may set. */
  maxRateLimit: 1_000_000,
  /**
   * Hours of an SLA (first touch, feedback, claim lease): a year. Beyond it a deadline is no
   * deadline, and far beyond it the date it computes does not exist.
   */
  slaHours: 24 * 365,
  /** Days a rejected account stays out of the queues: a year. */
  cooloffDays: 365,
  /** Destinations in the `destinations` section: each one is a delivery stream per account. */
  destinations: 50,
  /** Characters of a destination secret, sealed or a Secrets Manager ARN (a sealed one is ~1/3 longer). */
  secretChars: 4096,
  /** Owners a Slack destination routes to their own webhook. */
  slackOwners: 500,
} as const;

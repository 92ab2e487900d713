import { originOf, SITES, serverWriteKeyOf, TOPICS, writeKeyOf } from './sites';

/** The configuration sections the demo adds to the stack's (`setUpDemo`), in the contract's order. */
export function buildConfig(strategicDomains: string[]) {
  return {
    sites: {
      sites: SITES.map((s) => ({
        id: s.id,
        name: s.name,
        writeKey: writeKeyOf(s),
        serverWriteKey: serverWriteKeyOf(s),
        // The whole month is replayed in seconds: far above a site's default 1,000 events/s.
        rateLimit: 100_000,
        allowedOrigins: [originOf(s)],
        consentRequired: false,
        topicRules: s.sections.map((x) => ({ pathPrefix: x.prefix, topics: [...x.topics] })),
        engagedRead: s.engagedRead ?? { activeSeconds: 30, scrollPercent: 60 },
      })),
    },
    topics: { topics: TOPICS.map((t) => ({ id: t.id, name: t.name })) },
    signals: {
      weights: { page_view: 1, content_read: 2, content_download: 3, webinar_registration: 3, pricing_view: 5, demo_request: 8 },
      eventMap: { 'Article Read': 'content_read', 'Demo Requested': 'demo_request', 'Whitepaper Downloaded': 'content_download' },
      handRaise: ['demo_request', 'pricing_view'],
      windowDays: 14,
      halfLifeDays: 14,
      surgeReads: 3,
    },
    icp: {
      employees: { min: 200, max: 10000 },
      revenueUsd: { min: 20_000_000 },
      industries: ['software', 'financial services', 'insurance', 'healthcare'],
      countries: ['US', 'CA', 'GB', 'DE', 'FR', 'NL'],
      regions: [],
      techStack: { required: [], bonus: ['snowflake'] },
      growthStages: [],
      exclude: { domains: ['rival.example'], industries: ['education'], freeMail: true, students: true },
      tiers: { A: 80, B: 60, C: 40 },
      salesReadyTiers: ['A', 'B'],
    },
    pods: {
      pods: [
        { id: 'strategic', name: 'Named accounts', match: { domains: strategicDomains } },
        { id: 'na-enterprise', name: 'NA enterprise', match: { countries: ['US', 'CA'], employees: { min: 1000 } } },
        { id: 'emea', name: 'EMEA', match: { regions: ['emea'] } },
        // No catch-all of its own: the demo's pods go before the stack's (its `default` takes the rest).
      ],
    },
    audiences: {
      audiences: [
        {
          id: 'surging-a-b',
          name: 'Tier A/B surging',
          filter: {
            tiers: ['A', 'B'],
            stages: ['surging', 'hand_raiser'],
            topics: [],
            pods: [],
            minPriority: 0,
            excludeOutcomes: ['opportunity', 'closed_won'],
          },
        },
        {
          id: 'warehousing-intent',
          name: 'Data warehousing intent',
          filter: {
            tiers: ['A', 'B', 'C'],
            stages: ['engaged', 'surging', 'hand_raiser'],
            topics: ['data-warehousing'],
            pods: [],
            minPriority: 0,
            excludeOutcomes: ['closed_won'],
          },
        },
      ],
    },
    sla: { firstTouchHours: 24, feedbackHours: 48, claimHours: 24, rejectCooloffDays: 30 },
  };
}

import type { Rng } from './random';

/** Firmographics as `PUT /v1/accounts` takes them; undefined fields are unknown. */
export interface DemoAccount {
  domain: string;
  name: string;
  employees?: number;
  revenueUsd?: number;
  industry?: string;
  country?: string;
  region?: string;
  techStack?: string[];
  growthStage?: string;
}

const REGION: Record<string, string> = {
  US: 'na', CA: 'na', GB: 'emea', DE: 'emea', FR: 'emea', NL: 'emea', IE: 'emea', SE: 'emea', ES: 'emea',
  AU: 'apac', JP: 'apac', IN: 'apac', SG: 'apac', BR: 'latam', MX: 'latam',
};
const ICP_COUNTRIES: [string, number][] = [['US', 50], ['GB', 14], ['DE', 12], ['CA', 8], ['FR', 8], ['NL', 8]];
const ALL_COUNTRIES: [string, number][] = [
  ...ICP_COUNTRIES, ['IE', 4], ['SE', 4], ['ES', 4], ['AU', 5], ['JP', 4], ['IN', 8], ['SG', 3], ['BR', 6], ['MX', 3],
];
const ICP_INDUSTRIES = ['software', 'financial services', 'insurance', 'healthcare'];
const OTHER_INDUSTRIES = ['retail', 'manufacturing', 'media', 'logistics', 'telecommunications', 'government', 'education', 'hospitality'];
const TECH = ['snowflake', 'databricks', 'bigquery', 'redshift', 'aws', 'gcp', 'azure', 'kubernetes', 'salesforce', 'hubspot', 'okta', 'datadog', 'terraform', 'dbt', 'looker'];
const NAME_A = [
  'Northwind', 'Contoso', 'Fabrikam', 'Blue Harbor', 'Redwood', 'Silverline', 'Granite', 'Summit', 'Cobalt', 'Evergreen', 'Ironclad',
  'Lighthouse', 'Maple', 'Orion', 'Pioneer', 'Quartz', 'Riverbend', 'Sable', 'Tidewater', 'Vantage', 'Willow', 'Zenith', 'Apex',
  'Beacon', 'Cascade', 'Delta', 'Ember', 'Falcon', 'Glacier', 'Harbor', 'Juniper', 'Keystone', 'Lumen', 'Meridian', 'Nimbus',
  'Oakridge', 'Polaris', 'Quill', 'Ridgeway', 'Sequoia', 'Trident', 'Unity', 'Vertex', 'Westfield', 'Yellowstone', 'Aurora',
  'Bramble', 'Crescent', 'Driftwood', 'Elm Street', 'Foxglove', 'Greystone', 'Hawthorn', 'Indigo', 'Jasper', 'Kestrel',
];
const NAME_B = [
  'Analytics', 'Systems', 'Labs', 'Capital', 'Health', 'Logistics', 'Software', 'Retail', 'Bank', 'Insurance', 'Media', 'Robotics',
  'Networks', 'Foods', 'Energy', 'Partners', 'Cloud', 'Data', 'Payments', 'Security', 'Motors', 'Telecom', 'Pharma', 'Group',
  'Holdings', 'Digital', 'Works', 'Industries', 'Ventures', 'Studios', 'Mutual', 'Freight', 'Biotech', 'Learning', 'Markets',
];

/** The accounts the scenarios are about: fixed, so a reader of the demo output can tell them apart. */
export const SCENARIO_ACCOUNTS: Record<string, DemoAccount> = {
  buyingCommittee: { domain: 'lakeshore-financial.example', name: 'Lakeshore Financial', employees: 4200, revenueUsd: 1_200_000_000, industry: 'financial services', country: 'US', region: 'na', techStack: ['snowflake', 'dbt', 'aws'], growthStage: 'public' },
  emeaCommittee: { domain: 'brightwave-software.example', name: 'Brightwave Software', employees: 800, revenueUsd: 95_000_000, industry: 'software', country: 'GB', region: 'emea', techStack: ['snowflake', 'gcp'], growthStage: 'growth' },
  strategicCommittee: { domain: 'bigbank.example', name: 'BigBank', employees: 9000, revenueUsd: 4_000_000_000, industry: 'financial services', country: 'US', region: 'na', techStack: ['okta', 'azure'], growthStage: 'mature' },
  midMarketCommittee: { domain: 'corvid-health.example', name: 'Corvid Health', employees: 350, revenueUsd: 60_000_000, industry: 'healthcare', country: 'US', region: 'na', techStack: ['aws', 'databricks'], growthStage: 'growth' },
  staleCommittee: { domain: 'meridian-insurance.example', name: 'Meridian Insurance', employees: 2500, revenueUsd: 700_000_000, industry: 'insurance', country: 'DE', region: 'emea', techStack: ['salesforce'], growthStage: 'mature' },
  quietEnterprise: { domain: 'helix-payments.example', name: 'Helix Payments', employees: 6000, revenueUsd: 900_000_000, industry: 'financial services', country: 'US', region: 'na', techStack: ['snowflake', 'salesforce'], growthStage: 'public' },
  demoRequester: { domain: 'quanta-software.example', name: 'Quanta Software', employees: 450, revenueUsd: 70_000_000, industry: 'software', country: 'CA', region: 'na', techStack: ['aws'], growthStage: 'series-c' },
  startupDownloader: { domain: 'tinyloop.example', name: 'TinyLoop', employees: 8, revenueUsd: 1_200_000, industry: 'software', country: 'US', region: 'na', techStack: ['aws', 'hubspot'], growthStage: 'seed' },
  student: { domain: 'northfield.edu', name: 'Northfield University', employees: 3500, industry: 'education', country: 'US', region: 'na' },
  competitor: { domain: 'rival.example', name: 'Rival Analytics', employees: 1500, revenueUsd: 300_000_000, industry: 'software', country: 'US', region: 'na', techStack: ['snowflake'], growthStage: 'growth' },
  nonIcpSurge: { domain: 'sunny-retail.example', name: 'Sunny Retail', employees: 120, revenueUsd: 9_000_000, industry: 'retail', country: 'BR', region: 'latam', growthStage: 'growth' },
};

/** Named accounts of the `strategic` pod: one of them runs a buying committee, the others stay quiet. */
export const STRATEGIC_DOMAINS = ['bigbank.example', 'globex.example', 'initech.example'];
const OTHER_NAMED: DemoAccount[] = [
  { domain: 'globex.example', name: 'Globex', employees: 7000, revenueUsd: 2_500_000_000, industry: 'software', country: 'US', region: 'na', techStack: ['snowflake'] },
  { domain: 'initech.example', name: 'Initech', employees: 1200, revenueUsd: 180_000_000, industry: 'software', country: 'US', region: 'na' },
];

export interface AccountBase {
  accounts: DemoAccount[];
  /** Accounts that are neither scenarios nor named: the background traffic's employers. */
  pool: DemoAccount[];
}

/** About `count` accounts: the scenario and named accounts, then a mix of ICP-shaped and other companies. */
export function makeAccounts(rng: Rng, count: number): AccountBase {
  const fixed = [...Object.values(SCENARIO_ACCOUNTS), ...OTHER_NAMED];
  const taken = new Set(fixed.map((a) => a.domain));
  const names = rng.shuffle(NAME_A.flatMap((a) => NAME_B.map((b) => `${a} ${b}`)));
  const pool: DemoAccount[] = [];
  for (let i = 0; pool.length < count - fixed.length; i++) {
    const base = names[i % names.length] as string;
    const name = i < names.length ? base : `${base} ${Math.floor(i / names.length) + 1}`;
    const domain = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example`;
    if (taken.has(domain)) continue;
    taken.add(domain);
    pool.push(company(rng, domain, name));
  }
  return { accounts: [...fixed, ...pool], pool };
}

function company(rng: Rng, domain: string, name: string): DemoAccount {
  const icpShaped = rng.chance(0.35);
  const employees = Math.round(icpShaped ? rng.logUniform(200, 10_000) : rng.logUniform(2, 60_000));
  const perHead = icpShaped ? rng.float(110_000, 400_000) : rng.float(30_000, 350_000);
  const revenueUsd = Math.round((employees * perHead) / 100_000) * 100_000;
  const country = rng.weighted(icpShaped ? ICP_COUNTRIES : ALL_COUNTRIES);
  const industry = icpShaped ? rng.pick(ICP_INDUSTRIES) : rng.pick([...ICP_INDUSTRIES, ...OTHER_INDUSTRIES, ...OTHER_INDUSTRIES]);
  const account: DemoAccount = {
    domain,
    name,
    employees,
    revenueUsd: Math.max(revenueUsd, icpShaped ? 21_000_000 : 100_000),
    industry,
    country,
    region: REGION[country],
    techStack: rng.sample(TECH, rng.int(1, 5)).sort(),
    growthStage: employees < 50 ? rng.pick(['seed', 'series-a']) : employees < 500 ? rng.pick(['series-b', 'growth']) : rng.pick(['growth', 'public', 'mature']),
  };
  // Enrichment is never complete: some fields are unknown, a few accounts are only a name.
  if (rng.chance(0.04)) return { domain, name };
  if (rng.chance(0.12)) delete account.employees;
  if (rng.chance(0.25)) delete account.revenueUsd;
  if (rng.chance(0.08)) delete account.industry;
  if (rng.chance(0.06)) {
    delete account.country;
    delete account.region;
  }
  if (rng.chance(0.35)) delete account.techStack;
  if (rng.chance(0.3)) delete account.growthStage;
  return account;
}

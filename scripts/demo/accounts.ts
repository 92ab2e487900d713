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

/** `'a:1 b:2'` -> [['a', '1'], ['b', '2']]: keeps the data tables short. */
const pairs = (spec: string) => spec.split(' ').map((p) => p.split(':') as [string, string]);

export const REGION: Record<string, string> = Object.fromEntries(
  pairs('US:na CA:na GB:emea DE:emea FR:emea NL:emea IE:emea SE:emea ES:emea AU:apac JP:apac IN:apac SG:apac BR:latam MX:latam'),
);
const weights = (spec: string): [string, number][] => pairs(spec).map(([k, w]) => [k, Number(w)]);
const ICP_COUNTRIES = weights('US:50 GB:14 DE:12 CA:8 FR:8 NL:8');
const ALL_COUNTRIES = [...ICP_COUNTRIES, ...weights('IE:4 SE:4 ES:4 AU:5 JP:4 IN:8 SG:3 BR:6 MX:3')];
const ICP_INDUSTRIES = ['software', 'financial services', 'insurance', 'healthcare'];
const OTHER_INDUSTRIES = 'retail,manufacturing,media,logistics,telecommunications,government,education,hospitality'.split(',');
const TECH =
  'snowflake databricks bigquery redshift aws gcp azure kubernetes salesforce hubspot okta datadog terraform dbt looker'.split(
    ' ',
  );
const NAME_A = (
  'Northwind,Contoso,Fabrikam,Blue Harbor,Redwood,Silverline,Granite,Summit,Cobalt,Evergreen,Ironclad,Lighthouse,Maple,Orion,' +
  'Pioneer,Quartz,Riverbend,Sable,Tidewater,Vantage,Willow,Zenith,Apex,Beacon,Cascade,Delta,Ember,Falcon,Glacier,Harbor,' +
  'Juniper,Keystone,Lumen,Meridian,Nimbus,Oakridge,Polaris,Quill,Ridgeway,Sequoia,Trident,Unity,Vertex,Westfield,' +
  'Yellowstone,Aurora,Bramble,Crescent,Driftwood,Elm Street,Foxglove,Greystone,Hawthorn,Indigo,Jasper,Kestrel'
).split(',');
const NAME_B = (
  'Analytics Systems Labs Capital Health Logistics Software Retail Bank Insurance Media Robotics Networks Foods Energy ' +
  'Partners Cloud Data Payments Security Motors Telecom Pharma Group Holdings Digital Works Industries Ventures Studios ' +
  'Mutual Freight Biotech Learning Markets'
).split(' ');

/** One fixed account from `domain|name|employees|revenueUsd|industry|country|tech stack|growth stage` (blank = unknown). */
function fixed(spec: string): DemoAccount {
  const [domain = '', name = '', employees, revenueUsd, industry, country, tech, growthStage] = spec.split('|');
  const a: DemoAccount = { domain, name };
  if (employees) a.employees = Number(employees);
  if (revenueUsd) a.revenueUsd = Number(revenueUsd);
  if (industry) a.industry = industry;
  if (country) {
    a.country = country;
    a.region = REGION[country];
  }
  if (tech) a.techStack = tech.split(' ');
  if (growthStage) a.growthStage = growthStage;
  return a;
}

/** The accounts the scenarios are about: fixed, so a reader of the demo output can tell them apart. */
export const SCENARIO_ACCOUNTS: Record<string, DemoAccount> = {
  buyingCommittee: fixed(
    'lakeshore-financial.example|Lakeshore Financial|4200|1.2e9|financial services|US|snowflake dbt aws|public',
  ),
  emeaCommittee: fixed('brightwave-software.example|Brightwave Software|800|95e6|software|GB|snowflake gcp|growth'),
  strategicCommittee: fixed('bigbank.example|BigBank|9000|4e9|financial services|US|okta azure|mature'),
  midMarketCommittee: fixed('corvid-health.example|Corvid Health|350|60e6|healthcare|US|aws databricks|growth'),
  staleCommittee: fixed('meridian-insurance.example|Meridian Insurance|2500|700e6|insurance|DE|salesforce|mature'),
  quietEnterprise: fixed('helix-payments.example|Helix Payments|6000|900e6|financial services|US|snowflake salesforce|public'),
  demoRequester: fixed('quanta-software.example|Quanta Software|450|70e6|software|CA|aws|series-c'),
  startupDownloader: fixed('tinyloop.example|TinyLoop|8|1.2e6|software|US|aws hubspot|seed'),
  student: fixed('northfield.edu|Northfield University|3500||education|US'),
  competitor: fixed('rival.example|Rival Analytics|1500|300e6|software|US|snowflake|growth'),
  nonIcpSurge: fixed('sunny-retail.example|Sunny Retail|120|9e6|retail|BR||growth'),
};

/** Named accounts of the `strategic` pod: one of them runs a buying committee, the others stay quiet. */
export const STRATEGIC_DOMAINS = ['bigbank.example', 'globex.example', 'initech.example'];
const OTHER_NAMED = [
  fixed('globex.example|Globex|7000|2.5e9|software|US|snowflake'),
  fixed('initech.example|Initech|1200|180e6|software|US'),
  // The README walk-through's account: with these firmographics it fits the demo ICP and routes to
  // the stack's `default` pod, so the walk-through still ends in that pod's queue after the demo.
  fixed('acme.example|Acme Corp|800|120e6|software|US|aws|growth'),
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
    growthStage:
      employees < 50
        ? rng.pick(['seed', 'series-a'])
        : employees < 500
          ? rng.pick(['series-b', 'growth'])
          : rng.pick(['growth', 'public', 'mature']),
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

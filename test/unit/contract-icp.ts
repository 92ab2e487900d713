import { IcpSection } from '@intent/config';

/** The example ICP of the public contract (CONTRACT.md, the `icp` section), parsed. */
export const CONTRACT_ICP = IcpSection.parse({
  employees: { min: 200, max: 10000 },
  revenueUsd: { min: 20000000 },
  industries: ['software', 'financial services'],
  countries: ['US', 'GB', 'DE'],
  techStack: { required: [], bonus: ['snowflake'] },
  exclude: { domains: ['rival.example'], industries: ['education'] },
});

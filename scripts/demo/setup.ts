import { PodsSection } from '@intent/config';
import { type ApplyResult, applyConfig, checkConfig } from '../lib/apply-config';
import type { DemoClient } from './client';
import type { DemoData } from './generate';

const ACCOUNT_CHUNK = 500;

export interface DemoSetup {
  apply: ApplyResult;
  /** Every pod of the stack after the demo's were added, in routing order. */
  pods: { id: string; name: string }[];
}

/**
 * The demo's configuration step. Its sites, topics, pods and audiences go beside what the stack
 * has (merged by id, so the starter's `wk_dev` site and `default` pod keep working); its
 * signals, ICP and SLA replace the stack's, loudly, with a backup. Then its firmographics.
 */
export async function setUpDemo(
  client: DemoClient,
  data: Pick<DemoData, 'config' | 'accounts'>,
  options: { backupDir: string; log: (line: string) => void },
): Promise<DemoSetup> {
  const { log } = options;
  const apply = await applyConfig(client, checkConfig(data.config, 'the demo configuration'), options);
  if (apply.plans.some((p) => p.section === 'icp' && p.replacesWhole)) {
    log(
      'warning: accounts are now scored against the demo ICP: one without firmographics is tier C, not sales-ready, ' +
        'until they are loaded (PUT /v1/accounts) or the previous ICP is put back',
    );
  }
  await loadAccounts(client, data.accounts, log);
  const pods = PodsSection.parse(await client.getConfig('pods')).pods.map(({ id, name }) => ({ id, name }));
  return { apply, pods };
}

async function loadAccounts(client: DemoClient, accounts: unknown[], log: (line: string) => void) {
  let upserted = 0;
  let rejected = 0;
  for (let i = 0; i < accounts.length; i += ACCOUNT_CHUNK) {
    const out = await client.putAccounts(accounts.slice(i, i + ACCOUNT_CHUNK));
    if (!out) {
      log(
        'warning: PUT /v1/accounts answered 404 (not built yet?): continuing without firmographics, so fit is scored on unknowns',
      );
      return;
    }
    upserted += out.upserted;
    rejected += out.rejected.length;
    for (const r of out.rejected.slice(0, 3)) log(`  account row ${i + r.index} rejected: ${r.code} ${r.message}`);
  }
  log(`accounts: ${upserted} upserted, ${rejected} rejected`);
}

import type { AccountRecord, Claim } from '@intent/qualify';
import { toRecord } from './account-repo';
import { accountKey } from './keys';
import { type Table, toAttr } from './table';

const NAMES = { '#s': 's', '#q': 'queuedIn', '#c': 'claim', '#sdr': 'sdr', '#exp': 'expiresAt' };

/**
 * SDR claims: a lease on the account item, taken and released with conditional updates so two
 * reps racing for one account get one winner and one refusal (a value, never an error).
 */
export class ClaimRepository {
  constructor(private readonly table: Table) {}

  /**
   * Takes or renews the lease if the account sits in `podId`'s queue and nobody else holds a
   * live lease. Answers the account as it was before ('claimed'), or 'refused' when the
   * condition failed (the caller reads the account to say why).
   */
  async claim(
    domain: string,
    podId: string,
    claim: Claim,
    now: string,
  ): Promise<{ outcome: 'claimed'; before: AccountRecord } | { outcome: 'refused' }> {
    const claimed = await this.table.tryUpdate(accountKey(domain), {
      ReturnValues: 'ALL_OLD',
      UpdateExpression: 'SET #c = :claim ADD version :one',
      ConditionExpression: '#s.#q = :pod AND (attribute_not_exists(#c) OR #c.#sdr = :sdr OR #c.#exp < :now)',
      ExpressionAttributeNames: NAMES,
      ExpressionAttributeValues: toAttr({ ':claim': claim, ':one': 1, ':pod': podId, ':sdr': claim.sdr, ':now': now }),
    });
    return claimed ? { outcome: 'claimed', before: toRecord(claimed.attributes ?? {}) } : { outcome: 'refused' };
  }

  /**
   * Removes the lease of an account queued in `podId` when `sdr` holds it or it has expired;
   * `sdr` undefined (an admin) removes any lease. 'refused': the account is not in that
   * queue, has no lease, or another SDR holds a live one.
   */
  async release(domain: string, podId: string, sdr: string | undefined, now: string): Promise<'released' | 'refused'> {
    const holder = sdr === undefined ? '' : ' AND (#c.#sdr = :sdr OR #c.#exp < :now)';
    const { '#sdr': _sdr, '#exp': _exp, ...adminNames } = NAMES;
    const applied = await this.table.updateIf(accountKey(domain), {
      UpdateExpression: 'REMOVE #c ADD version :one',
      ConditionExpression: `#s.#q = :pod AND attribute_exists(#c)${holder}`,
      ExpressionAttributeNames: sdr === undefined ? adminNames : NAMES,
      ExpressionAttributeValues: toAttr({ ':one': 1, ':pod': podId, ...(sdr === undefined ? {} : { ':sdr': sdr, ':now': now }) }),
    });
    return applied ? 'released' : 'refused';
  }
}

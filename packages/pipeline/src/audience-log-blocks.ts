import type { LogChange, Store } from '@intent/store';
import type { AudienceMessage, AudiencePublisher } from './audiences';

/** Logged changes per audience gathered before one block of log numbers is reserved for them. */
const LOG_BLOCK = 500;

/**
 * The joins and leaves of a re-materialisation, per audience, logged in blocks of `LOG_BLOCK`
 * as they accumulate (so a failure part-way leaves at most one block per audience unlogged)
 * and published once logged.
 */
export class LogBlocks {
  private readonly pending = new Map<string, LogChange[]>();
  private readonly writes: Promise<unknown>[] = [];

  constructor(private readonly deps: { store: Store; clock: () => Date; publishAudienceChanges?: AudiencePublisher }) {}

  add(audienceId: string, change: LogChange): void {
    const list = this.pending.get(audienceId) ?? [];
    list.push(change);
    this.pending.set(audienceId, list);
    if (list.length >= LOG_BLOCK) this.flush(audienceId);
  }

  async flushAll(): Promise<void> {
    for (const audienceId of [...this.pending.keys()]) this.flush(audienceId);
    const failed = (await Promise.allSettled(this.writes)).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  private flush(audienceId: string): void {
    const changes = this.pending.get(audienceId) ?? [];
    this.pending.delete(audienceId);
    if (changes.length === 0) return;
    const sizeDelta = changes.reduce((n, c) => n + (c.op === 'add' ? 1 : -1), 0);
    const write = async () => {
      const at = await this.deps.store.audiences.appendLogBlock(audienceId, changes, sizeDelta, this.deps.clock);
      const messages: AudienceMessage[] = changes.map((c) => ({
        type: c.op === 'add' ? 'audience.member_added' : 'audience.member_removed',
        audienceId,
        domain: c.domain,
        name: c.name,
        at,
      }));
      if (this.deps.publishAudienceChanges) await this.deps.publishAudienceChanges(messages);
    };
    // Settled (and a failure rethrown) by `flushAll`; caught here so it is never unhandled meanwhile.
    const written = write();
    written.catch(() => undefined);
    this.writes.push(written);
  }
}

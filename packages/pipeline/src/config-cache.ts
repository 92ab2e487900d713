import type { Config } from '@intent/config';
import type { Store } from '@intent/store';

/**
 * Configuration read at most once per `ttlMs` per warm function: a PUT to /v1/config reaches
 * every function within that time without a read on every request.
 */
export class ConfigCache {
  private value?: { config: Config; at: number };

  constructor(
    private readonly store: Store,
    private readonly ttlMs = 5_000,
  ) {}

  async get(nowMs = Date.now()): Promise<Config> {
    if (!this.value || nowMs - this.value.at > this.ttlMs) {
      this.value = { config: await this.store.config.getAll(), at: nowMs };
    }
    return this.value.config;
  }

  invalidate(): void {
    this.value = undefined;
  }
}

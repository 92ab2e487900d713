import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { ConsumerCommand, ConsumerEvent, ConsumerWorkerData } from './consumer-worker';
import type { Consumer } from './poller';

/**
 * Runs a `QueuePoller` and its handler in a worker thread (`consumer-worker.ts`). The worker
 * loads TypeScript through tsx's loader, so this needs the process to run under tsx (`npm
 * start`, `npm run bench`); the tests keep consumers in their own thread.
 */
export class WorkerPoller implements Consumer {
  private worker?: Worker;
  private next = 0;
  private readonly waiting = new Map<number, () => void>();

  constructor(
    private readonly data: ConsumerWorkerData,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Starts the worker and resolves once its handler module is loaded and polling. */
  async launch(): Promise<void> {
    const tsx = import.meta.resolve('tsx/esm/api');
    const worker = new Worker(
      `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(new URL('./consumer-worker.ts', import.meta.url).href)}); })`,
      { eval: true, workerData: this.data },
    );
    this.worker = worker;
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (event: ConsumerEvent) => {
        if (event.type === 'ready') resolve();
        else if (event.type === 'error') this.onError(new Error(event.error));
        else this.waiting.get(event.id)?.();
      });
    });
    worker.on('error', this.onError);
  }

  /** The function whose handler the worker runs. */
  get functionName(): string {
    return this.data.options.functionName;
  }

  /** The worker's event loop utilization so far (what `performance.eventLoopUtilization` measures in it). */
  utilization(): EventLoopUtilization | undefined {
    return this.worker?.performance.eventLoopUtilization();
  }

  async stop({ drain, timeoutMs }: { drain: boolean; timeoutMs?: number }): Promise<void> {
    await this.stopCommand(drain, timeoutMs, false);
    await this.worker?.terminate();
    this.worker = undefined;
  }

  drain(timeoutMs: number): Promise<void> {
    return this.stopCommand(true, timeoutMs, true);
  }

  pause(): Promise<void> {
    return this.stopCommand(false, undefined, false);
  }

  resume(): Promise<void> {
    return this.command((id) => ({ type: 'start', id }));
  }

  /** Sets these variables in the worker's environment; resolves once they are set. */
  setEnv(vars: Record<string, string>): Promise<void> {
    return this.command((id) => ({ type: 'env', id, vars }));
  }

  private stopCommand(drain: boolean, timeoutMs: number | undefined, restart: boolean): Promise<void> {
    return this.command((id) => ({ type: 'stop', id, drain, timeoutMs, restart }));
  }

  private command(make: (id: number) => ConsumerCommand): Promise<void> {
    const worker = this.worker;
    if (!worker) return Promise.resolve();
    const id = this.next++;
    return new Promise<void>((resolve) => {
      this.waiting.set(id, () => {
        this.waiting.delete(id);
        resolve();
      });
      worker.postMessage(make(id));
    });
  }
}

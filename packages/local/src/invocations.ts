import { channel } from 'node:diagnostics_channel';

/**
 * Each handler invocation the local runtime makes (an HTTP route through the gateway, a batch
 * through a poller), published on a diagnostics channel of the thread that ran it: what a
 * Lambda invocation would bill (its function and how long it took). Publishing costs nothing
 * while nobody subscribes; the bench subscribes to price the run.
 */
export const INVOCATION_CHANNEL = 'intent-local:invocation';

export interface Invocation {
  functionName: string;
  /** When the call started (`performance.now()` of its thread). */
  startMs: number;
  /** Wall time of the handler call, from the event handed over to its answer. */
  ms: number;
  /** Records of the SQS batch, for a consumer's invocation. */
  records?: number;
}

const invocations = channel(INVOCATION_CHANNEL);

/** Calls the handler and publishes how long it took (also when it throws). */
export async function timedInvocation<T>(functionName: string, call: () => Promise<T>, records?: number): Promise<T> {
  if (!invocations.hasSubscribers) return call();
  const t0 = performance.now();
  try {
    return await call();
  } finally {
    invocations.publish({ functionName, startMs: t0, ms: performance.now() - t0, records } satisfies Invocation);
  }
}

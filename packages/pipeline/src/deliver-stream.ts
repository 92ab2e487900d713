import { randomUUID } from 'node:crypto';
import type { Destination, DestinationsConfig } from '@intent/config';
import type { DeliveryRecord, Store, StreamHead } from '@intent/store';
import { outcomeOf, RETRY_POLICY, retryDelayMs } from './delivery-schedule';
import type { DeliveryMessage, DeliverySender } from './destination-recorder';

/** What one attempt got: the HTTP status (0: no answer), the receiver's `Retry-After` in ms, an error. */
export interface Attempt {
  status: number;
  retryAfterMs?: number;
  error?: string;
}

/** Sends one event to one destination (its secrets in plain) and answers what happened. */
export type Transport = (destination: Destination, event: DeliveryRecord) => Promise<Attempt>;

export interface DeliverDeps {
  store: Store;
  destinations: DestinationsConfig;
  transport: Transport;
  send: DeliverySender;
  /** Milliseconds since the epoch: the schedule's clock (tests pass a simulated one). */
  clock: () => number;
  random?: () => number;
  /** Real-time deadline (ms since the epoch, `Date.now()`'s) after which the stream is continued by a new message. */
  deadline: number;
}

/** How the stream was left. */
export type StreamOutcome =
  | { state: 'idle'; delivered: number }
  | { state: 'waiting'; delivered: number; retryAt: string }
  | { state: 'continued'; delivered: number }
  | { state: 'busy' }
  | { state: 'unknown_destination' };

/** How long a deliverer holds a stream: past the function's timeout (60 s), so a lease outlives its holder only when it died. */
const LEASE_MS = 90_000;
/** When another deliverer holds the stream, look again after this long (it may finish before seeing the new event). */
const BUSY_DELAY_SECONDS = 5;
/** SQS's longest delay: a longer wait is a chain of hops. */
const MAX_DELAY_SECONDS = 900;
/** A wake hop this late is taken for lost, and a new one is sent. */
const WAKE_GRACE_MS = 120_000;

/**
 * Delivers what is pending in one destination's stream of one account, in order: leases the
 * stream (one deliverer at a time, whatever copies of the message arrive), then sends its
 * pending events one after another. A delivered (2xx) or refused (4xx but 408/429) event is
 * finished and the stream moves on; on no answer, 408, 429 or 5xx the event is kept with its
 * next attempt scheduled (`retryDelayMs`) and the stream waits: a wake message is sent with
 * the delay, hop by hop past SQS's 15 minutes, and an event still failing 24 h after its first
 * attempt is given up on (dead) and the stream moves on. Nothing later in the stream is sent
 * before an earlier event is finished.
 */
export async function deliverStream(deps: DeliverDeps, message: DeliveryMessage): Promise<StreamOutcome> {
  const destination = deps.destinations.destinations.find((d) => d.id === message.d);
  if (!destination) return { state: 'unknown_destination' };
  const { store, clock } = deps;
  const leaseId = randomUUID();
  const head = await store.deliveries.claimStream(destination.id, message.a, leaseId, clock(), clock() + LEASE_MS);
  if (!head) {
    await deps.send([{ message: { d: message.d, a: message.a }, delaySeconds: BUSY_DELAY_SECONDS }]);
    return { state: 'busy' };
  }
  let wake: Wake | null | undefined;
  try {
    const drained = await drain(deps, destination, message, head);
    wake = drained.wake;
    return drained.outcome;
  } finally {
    // The wake is noted with the release: one write per hop of a long wait.
    await store.deliveries.releaseStream(destination.id, message.a, leaseId, wake);
  }
}

/** The retry wake to note on the stream's head: the new chain's token and when its hop is due; null: none any more. */
type Wake = { token: string; hopAtMs: number };

async function drain(
  deps: DeliverDeps,
  destination: Destination,
  message: DeliveryMessage,
  head: StreamHead,
): Promise<{ outcome: StreamOutcome; wake?: Wake | null }> {
  const { store, clock } = deps;
  const domain = message.a;
  let from = head.from;
  let delivered = 0;
  for (;;) {
    const next = await store.deliveries.nextPending(destination.id, domain, from);
    if (next.finishedTo !== undefined && next.finishedTo !== from) {
      // A late event may have moved the start back meanwhile: then start from there.
      from = (await store.deliveries.advance(destination.id, domain, from, next.finishedTo))
        ? next.finishedTo
        : (await store.deliveries.head(destination.id, domain)).from;
    }
    const event = next.event;
    if (!event) return { outcome: { state: 'idle', delivered }, wake: head.wakeToken ? null : undefined };
    const due = event.nextAttemptAt ? Date.parse(event.nextAttemptAt) : 0;
    if (due > clock()) {
      const wake = await wakeFor(deps, destination.id, domain, head, message, due);
      return { outcome: { state: 'waiting', delivered, retryAt: new Date(due).toISOString() }, wake };
    }
    if (Date.now() >= deps.deadline) {
      await deps.send([{ message: { d: message.d, a: domain }, delaySeconds: 0 }]);
      return { outcome: { state: 'continued', delivered } };
    }
    const attempt = await deps.transport(destination, event);
    const outcome = await saveOutcome(deps, event, attempt);
    if (outcome === 'delivered') delivered++;
  }
}

/** Saves an attempt on its event: delivered, failed for good, dead after a day of failures, or pending with its next attempt. */
async function saveOutcome(deps: DeliverDeps, event: DeliveryRecord, attempt: Attempt): Promise<string> {
  const now = deps.clock();
  const attempts = event.attempts + 1;
  const firstAttemptAt = event.firstAttemptAt ?? new Date(now).toISOString();
  let status = outcomeOf(attempt.status) as 'delivered' | 'retry' | 'failed' | 'dead';
  if (status === 'retry' && now - Date.parse(firstAttemptAt) >= RETRY_POLICY.giveUpAfterMs) status = 'dead';
  const nextAttemptAt =
    status === 'retry'
      ? new Date(now + retryDelayMs(attempts, attempt.retryAfterMs, deps.random ?? Math.random)).toISOString()
      : undefined;
  await deps.store.deliveries.saveAttempt(event.destinationId, event.position, {
    status: status === 'retry' ? 'pending' : status,
    attempts,
    firstAttemptAt,
    nextAttemptAt,
    lastStatus: attempt.status,
    lastError: attempt.error?.slice(0, 500),
    deliveredAt: status === 'delivered' ? new Date(now).toISOString() : undefined,
  });
  return status;
}

/**
 * Makes sure a message comes back when the stream's next attempt is due: one chain of wake
 * messages per stream, each hop at most 15 minutes. A message that is not the chain's current
 * hop leaves a live chain alone (unless the chain wakes later than needed); a hop of a chain
 * replaced since is dropped the same way. Answers the new chain to note, if it started one.
 */
async function wakeFor(
  deps: DeliverDeps,
  destinationId: string,
  domain: string,
  head: StreamHead,
  message: DeliveryMessage,
  due: number,
): Promise<Wake | undefined> {
  const now = deps.clock();
  const isCurrentHop = message.w !== undefined && message.w === head.wakeToken;
  const chainAlive = head.wakeToken !== undefined && (head.wakeHopAt ?? 0) >= now - WAKE_GRACE_MS;
  if (!isCurrentHop && chainAlive && (head.wakeHopAt ?? 0) <= due + 1000) return undefined;
  const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((due - now) / 1000)));
  const token = randomUUID();
  // Sent before it is noted (on release): a failure between the two leaves a message in flight
  // either way (this hop, or the retried message that starts another chain), never a stream nobody wakes.
  await deps.send([{ message: { d: destinationId, a: domain, w: token }, delaySeconds }]);
  return { token, hopAtMs: now + delaySeconds * 1000 };
}

import { now, safe } from './util';

export interface TrackerEvent {
  type: 'page' | 'track' | 'identify' | 'group';
  messageId: string;
  anonymousId: string;
  userId?: string;
  timestamp: string;
  sentAt?: string;
  event?: string;
  name?: string;
  groupId?: string;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: {
    page: { url: string; referrer: string; title: string; path: string };
    userAgent: string;
    consent: 'granted' | 'denied' | 'unknown';
    library: { name: string; version: string };
  };
}

export interface Transport {
  /** Queues an event; flushes at 10 queued events or 2 s after the first. */
  add(ev: TrackerEvent): void;
  /** Sends everything queued (and, with `beacon`, everything waiting for a retry) now. */
  flush(beacon?: boolean): void;
  /** Forgets everything queued or waiting for a retry. */
  drop(): void;
}

const BATCH = 10;
const DELAY = 2000;
/** What we keep while consent is pending; the oldest go first. */
const MAX_HELD = 100;
const RETRIES = 3;

/**
 * Batches events to `POST {endpoint}/v1/collect` as text/plain (no CORS preflight), retrying
 * network errors, 429 and 5xx with exponential backoff, never sooner than a 429's
 * `Retry-After` asks (the collector's rate limits); on page hide, `sendBeacon`.
 * `allowed()` gates every send (consent can be withdrawn while a retry waits); `stamp` sets
 * the send-time fields of an event.
 */
export const createTransport = (
  url: string,
  writeKey: string,
  allowed: () => boolean,
  stamp: (ev: TrackerEvent, sentAt: string) => void,
): Transport => {
  let queue: TrackerEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | 0 = 0;
  /** Batches waiting for a retry, by their timer. */
  const waiting = new Map<ReturnType<typeof setTimeout>, TrackerEvent[]>();

  const body = (batch: TrackerEvent[]): string => {
    const sentAt = now();
    for (const ev of batch) stamp(ev, sentAt);
    return JSON.stringify({ writeKey, batch, sentAt });
  };

  const send = (batch: TrackerEvent[], attempt: number): void => {
    /** `afterSeconds`: the answer's Retry-After, a floor under the backoff. */
    const retry = safe((afterSeconds?: unknown) => {
      if (attempt < RETRIES) {
        const t = setTimeout(
          safe(() => {
            waiting.delete(t);
            if (allowed()) send(batch, attempt + 1);
          }),
          Math.max(1000 * (Number(afterSeconds) || 0), 1000 * 2 ** attempt * (1 + Math.random() / 2)),
        );
        waiting.set(t, batch);
      }
    });
    try {
      const b = body(batch);
      fetch(url, {
        method: 'POST',
        // Browsers refuse keepalive bodies over 64 KiB.
        keepalive: b.length < 6e4,
        headers: { 'Content-Type': 'text/plain' },
        body: b,
      }).then(
        safe((r: Response) => {
          if (r.status > 499 || r.status == 429) retry(r.headers.get('retry-after'));
        }),
        () => retry(),
      );
    } catch (_) {
      retry();
    }
  };

  const beacon = (batch: TrackerEvent[]): boolean => {
    try {
      return navigator.sendBeacon(url, new Blob([body(batch)], { type: 'text/plain' }));
    } catch (_) {
      return false;
    }
  };

  const flush = (toBeacon?: boolean): void => {
    clearTimeout(timer as ReturnType<typeof setTimeout>);
    timer = 0;
    if (!allowed()) return;
    if (toBeacon) {
      waiting.forEach((batch, t) => {
        clearTimeout(t);
        queue = queue.concat(batch);
      });
      waiting.clear();
    }
    while (queue.length) {
      const batch = queue.splice(0, BATCH);
      if (!(toBeacon && beacon(batch))) send(batch, 0);
    }
  };

  return {
    add(ev) {
      JSON.stringify(ev); // throws (and the event is dropped) on circular properties
      queue.push(ev);
      if (queue.length > MAX_HELD) queue.shift();
      if (queue.length >= BATCH) flush();
      else if (!timer) timer = setTimeout(safe(flush), DELAY);
    },
    flush,
    drop() {
      for (const t of waiting.keys()) clearTimeout(t);
      waiting.clear();
      queue = [];
    },
  };
};

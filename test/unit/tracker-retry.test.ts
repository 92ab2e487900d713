import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTransport, type TrackerEvent } from '../../packages/tracker/src/browser/transport';

const event = (n: number) =>
  ({ type: 'page', messageId: `m-${n}`, anonymousId: 'a', properties: {}, traits: {} }) as unknown as TrackerEvent;

/** The snippet's transport against a collector that answers 429 with Retry-After, then 202. */
/** The snippet's transport to a collector that always has consent, logging nothing. */
const collectorTransport = () =>
  createTransport(
    'https://collector.example/v1/collect',
    'wk',
    () => true,
    () => undefined,
  );

describe('snippet retries after a 429', () => {
  let answers: Response[];
  let sent: number;
  beforeEach(() => {
    vi.useFakeTimers();
    sent = 0;
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        sent++;
        return answers.shift() ?? new Response('{}', { status: 202 });
      }),
    );
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('waits at least the Retry-After the collector asked for, then sends the batch again', async () => {
    answers = [new Response('{}', { status: 429, headers: { 'retry-after': '5' } })];
    const transport = collectorTransport();
    transport.add(event(1));
    transport.flush();
    await vi.advanceTimersByTimeAsync(10);
    expect(sent).toBe(1);
    // Its own backoff would resend within 1.5 s; the collector asked for 5.
    await vi.advanceTimersByTimeAsync(4_900);
    expect(sent).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(sent).toBe(2);
  });

  it('backs off on its own when a 429 carries no Retry-After', async () => {
    answers = [new Response('{}', { status: 429 })];
    const transport = collectorTransport();
    transport.add(event(1));
    transport.flush();
    await vi.advanceTimersByTimeAsync(1_600);
    expect(sent).toBe(2);
  });
});

import { LIMITS } from '@intent/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureTopics, event, peek, startTestStack, stopTestStack, type TestStack, topicsSection } from './harness';

/**
 * Nothing a client sends grows state without bound: a client declaring thousands of topic ids
 * nobody configured neither creates counters for them nor blocks anyone's later events.
 */
describe('a client flooding the collector with unconfigured topic ids', () => {
  let stack: TestStack;
  let admin: string;
  const TOPIC = 'data-warehousing';
  const DOMAIN = 'target.example';
  const FLOOD_EVENTS = 500;
  const TOPICS_PER_EVENT = 50;
  const today = new Date().toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    // A batch slowed by a busy machine must not come back before it is done (the harness's 1 s
    // would redeliver it, and five receives dead-letter it): only a failing message may.
    stack = await startTestStack({ visibilityTimeoutSeconds: 30 });
    admin = stack.secrets.adminKey;
    await configureTopics(stack, [TOPIC]);
  });
  afterAll(() => stopTestStack(stack));

  /** The n-th flood event: a page view or a read carrying 50 distinct 60-character ids of its own. */
  const floodEvent = (n: number) =>
    event({
      type: n % 2 ? 'page' : 'track',
      ...(n % 2 ? {} : { event: 'content_read' }),
      // One flooder has identified at the account: its reads resolve to it, their topics too.
      anonymousId: n % 5 ? `flooder-${n % 7}` : 'insider',
      properties: {
        url: `https://dev.example/flood/${n}`,
        topics: Array.from({ length: TOPICS_PER_EVENT }, (_, k) => `flood-${n}-${k}-`.padEnd(60, 'x')),
      },
    });
  const stats = async () => (await stack.api('/v1/ingestion/stats', { key: admin })).body.sites.dev;

  it('accepts 500 events of 50 unconfigured 60-character topics each, counts 25,000 ignored ids, and still counts later events', async () => {
    expect(
      (await stack.collect([event({ type: 'identify', anonymousId: 'insider', traits: { email: 'eve@target.example' } })])).body,
    ).toEqual({ accepted: 1, rejected: [] });

    // Half through /v1/collect (50 events a request: 256 KiB), half through Segment's /v1/batch (500 KB).
    const flood = Array.from({ length: FLOOD_EVENTS }, (_, n) => floodEvent(n));
    const half = FLOOD_EVENTS / 2;
    for (let i = 0; i < half; i += 50) {
      expect((await stack.collect(flood.slice(i, i + 50))).body).toEqual({ accepted: 50, rejected: [] });
    }
    const basic = `Basic ${Buffer.from('wk_dev:').toString('base64')}`;
    for (let i = half; i < FLOOD_EVENTS; i += 125) {
      const post = () =>
        stack.api('/v1/batch', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: basic },
          body: JSON.stringify({ batch: flood.slice(i, i + 125) }),
        });
      let res = await post();
      // Over the address limit (one client posting this fast): wait as the SDKs do, then resend.
      while (res.status === 429) {
        await new Promise((r) => setTimeout(r, 1000 * Number(res.retryAfter)));
        res = await post();
      }
      expect(res).toEqual({ status: 200, body: { success: true } });
    }

    // Later, legitimate traffic: a colleague at the account reads on a configured topic.
    const legit = [
      event({ type: 'identify', anonymousId: 'reader', traits: { email: 'rita@target.example' } }),
      ...[1, 2, 3].map((n) =>
        event({
          type: 'track',
          event: 'content_read',
          anonymousId: 'reader',
          properties: { topics: [TOPIC], url: `https://dev.example/dw/${n}` },
        }),
      ),
    ];
    expect((await stack.collect(legit)).body).toEqual({ accepted: 4, rejected: [] });
    await stack.drain();

    const site = await stats();
    expect(site.accepted).toBe(1 + FLOOD_EVENTS + legit.length);
    expect(site.ignoredTopics).toBe(FLOOD_EVENTS * TOPICS_PER_EVENT);
    expect(site.rejected).toEqual({});
    expect(site.dropped).toEqual({});

    const account = await stack.api(`/v1/accounts/${DOMAIN}`, { key: admin });
    expect(account.status).toBe(200);
    const topics = account.body.intent.topics as { topic: string; reads: number }[];
    expect(topics.find((t) => t.topic === TOPIC)).toMatchObject({ reads: 3 });
    expect(topics.every((t) => t.topic === TOPIC || t.topic === '-')).toBe(true);
    expect(account.body.intent.stage).toBe('surging');

    // No counter for any ignored id, and nothing dead-lettered.
    const trends = await stack.store.activity.topicDays('dev', yesterday, today);
    expect([...new Set(trends.map((t) => t.topic))]).toEqual([TOPIC]);
    expect(await peek(stack, stack.queues.ingest?.dlqUrl ?? '')).toEqual([]);
  });

  it(`refuses a topics section of more than ${LIMITS.topics} topics with 400 naming the field`, async () => {
    const ids = Array.from({ length: LIMITS.topics + 1 }, (_, i) => `topic-${i}`);
    const res = await stack.api('/v1/config/topics', {
      method: 'PUT',
      key: admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(topicsSection(ids)),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.details).toEqual([{ path: 'topics', message: expect.any(String) }]);
  });
});

import { visitorPerson } from '@intent/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureTopics, event, startTestStack, stopTestStack, type TestStack } from './harness';

const TOPIC = 'pipeline-optimisation';
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

interface TopicView {
  topic: string;
  reads: number;
  people: number;
  score: number;
}

/**
 * One human, as the snippet and a server-side forwarder see them: reads anonymously, identifies
 * with a user id and an email at `domain`, reads again in the browser (anonymous id and user id),
 * and the site's backend reports one more read under the user id alone. `minutes` are the reads'
 * ages: the same ages give two accounts the same decay.
 */
function oneHuman(anonymousId: string, userId: string, domain: string) {
  const read = (minutes: number, ids: Record<string, string>) =>
    event({
      type: 'track',
      event: 'content_read',
      ...ids,
      timestamp: minutesAgo(minutes),
      properties: { topics: [TOPIC], url: `https://media.example/a${minutes}` },
    });
  return {
    anonymousReads: [read(50, { anonymousId }), read(45, { anonymousId })],
    identify: event({
      type: 'identify',
      anonymousId,
      userId,
      timestamp: minutesAgo(40),
      traits: { email: `${userId}@${domain}` },
    }),
    identifiedReads: [read(35, { anonymousId, userId }), read(30, { anonymousId, userId })],
    // What a Segment forwarder sends from the site's backend: the user id alone.
    serverRead: (() => {
      const e = read(25, { userId });
      delete e.anonymousId;
      return e;
    })(),
  };
}

describe('a person is one person: their anonymous id and user id, once linked', () => {
  let stack: TestStack;
  let admin: string;
  const topicOf = async (domain: string): Promise<TopicView & { explanation: string[] }> => {
    const res = await stack.api(`/v1/accounts/${domain}`, { key: admin });
    expect(res.status).toBe(200);
    const topic = res.body.intent.topics.find((t: TopicView) => t.topic === TOPIC);
    return { ...topic, explanation: res.body.explanation };
  };
  const trendVisitors = async () => {
    const res = await stack.api('/v1/topics/trends?days=2', { key: admin });
    const trend = res.body.trends.find((t: { topic: string }) => t.topic === TOPIC);
    return trend.daily.reduce((n: number, d: { visitors: number }) => n + d.visitors, 0) as number;
  };

  beforeAll(async () => {
    stack = await startTestStack();
    admin = stack.secrets.adminKey;
    await configureTopics(stack, [TOPIC]);
  });
  afterAll(() => stopTestStack(stack));

  it('counts anonymous reads, an identify with a user id and further reads as 1 person (explanation and breadth)', async () => {
    const jane = oneHuman('globex-browser', 'jane', 'globex.example');
    await stack.collect(jane.anonymousReads);
    await stack.drain();
    await stack.collect([jane.identify, ...jane.identifiedReads]);
    await stack.drain();

    const globex = await topicOf('globex.example');
    expect(globex).toMatchObject({ reads: 4, people: 1 });
    expect(globex.explanation.join(' ')).toContain('1 person at globex.example read 4 articles');
    expect(globex.explanation.join(' ')).not.toMatch(/\d+ people at globex/);

    // Breadth: the same reads at the same times by someone who identified before reading score the same.
    const control = oneHuman('control-browser', 'joe', 'control.example');
    await stack.collect([{ ...control.identify, timestamp: minutesAgo(55) }]);
    await stack.drain();
    await stack.collect([...control.anonymousReads, ...control.identifiedReads]);
    await stack.drain();
    const controlTopic = await topicOf('control.example');
    expect(controlTopic).toMatchObject({ reads: 4, people: 1 });
    expect(globex.score).toBe(controlTopic.score);
    // The site's distinct visitors count each person once too.
    expect(await trendVisitors()).toBe(2);
  });

  it('counts a server-side event under the user id alone as the same person', async () => {
    const jane = oneHuman('globex-browser', 'jane', 'globex.example');
    await stack.collect([jane.serverRead]);
    await stack.drain();
    expect(await topicOf('globex.example')).toMatchObject({ reads: 5, people: 1 });
    expect(await trendVisitors()).toBe(2);
  });

  it('erasing the visitor removes the one person it was counted as, and a later server-side event does not bring it back', async () => {
    const person = visitorPerson(stack.secrets.hashSecret, 'globex-browser');
    const res = await stack.api('/v1/visitors/globex-browser', { method: 'DELETE', key: admin });
    expect(res.status).toBe(200);
    expect(res.body.accounts).toEqual(['globex.example']);

    const globex = await topicOf('globex.example');
    expect(globex).toMatchObject({ reads: 5, people: 0 });
    expect(globex.explanation.join(' ')).toContain('Someone at globex.example read 5 articles');
    expect(await trendVisitors()).toBe(1);

    // The user's link to the account stays (erasure is by anonymous id), but no longer names the erased person.
    const jane = oneHuman('globex-browser', 'jane', 'globex.example');
    await stack.collect([{ ...jane.serverRead, messageId: 'after-erasure', timestamp: minutesAgo(1) }]);
    await stack.drain();
    const after = await topicOf('globex.example');
    expect(after).toMatchObject({ reads: 6, people: 1 });
    const rollups = await stack.store.rollups.since('globex.example', '2000-01-01');
    expect(JSON.stringify(rollups)).not.toContain(person);
  });
});

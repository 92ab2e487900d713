import { defaultSection, type Signal, type SignalsConfig } from '@intent/config';
import { type DailyRollup, evidenceDays, NO_TOPIC, scoreIntent } from '@intent/intent';
import { describe, expect, it } from 'vitest';
import { dayNumber, dayString } from '../../packages/intent/src/days';
import { stageRank } from '../../packages/intent/src/types';

const TODAY = '2025-03-10';
const signals: SignalsConfig = defaultSection('signals');
const day = (age: number): string => dayString((dayNumber(TODAY) as number) - age);
const roll = (
  age: number,
  topic: string,
  counts: Partial<Record<Signal, number>>,
  people: string[] = [],
  identified: Partial<Record<Signal, number>> = {},
): DailyRollup => ({ day: day(age), topic, counts, identified, people });
const score = (rollups: DailyRollup[], cfg: SignalsConfig = signals) => scoreIntent(rollups, cfg, TODAY);

describe('evidenceDays and stageRank', () => {
  it('reads the window plus a baseline twice as long', () => {
    expect(evidenceDays(signals)).toBe(42);
    expect(evidenceDays({ ...signals, windowDays: 7 })).toBe(21);
  });

  it('ranks stages from cold 0 to hand_raiser 4', () => {
    expect(['cold', 'aware', 'engaged', 'surging', 'hand_raiser'].map((s) => stageRank(s as never))).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('stages', () => {
  it('an account without rollups is cold with score 0 and says so', () => {
    const r = score([]);
    expect(r).toEqual({ stage: 'cold', score: 0, topics: [], explanation: ['No scored activity in the last 14 days.'] });
  });

  it('page views only make an account aware', () => {
    const r = score([roll(1, 'dw', { page_view: 4 }, ['p1'])]);
    expect(r.stage).toBe('aware');
    expect(r.explanation).toEqual(['4 page views in the last 14 days.']);
  });

  it('reads short of the surge threshold make an account engaged', () => {
    expect(score([roll(1, 'dw', { content_read: 2 })]).stage).toBe('engaged');
  });

  it('an anonymous pricing-page visit is engaged, not a hand-raise', () => {
    const r = score([roll(0, NO_TOPIC, { pricing_view: 1 })]);
    expect(r.stage).toBe('engaged');
    expect(r.explanation).toEqual(['1 pricing-page visit by unidentified visitors in the last 14 days.']);
  });

  it('surgeReads reads on one topic within the window make the topic and the account surging', () => {
    const r = score([
      roll(0, 'dw', { content_read: 1 }),
      roll(5, 'dw', { content_download: 1 }),
      roll(13, 'dw', { webinar_registration: 1 }),
    ]);
    expect(r.stage).toBe('surging');
    expect(r.topics[0]).toMatchObject({ topic: 'dw', stage: 'surging', reads: 3 });
  });

  it('reads outside the window do not count towards a surge', () => {
    expect(score([roll(0, 'dw', { content_read: 2 }), roll(14, 'dw', { content_read: 1 })]).stage).toBe('engaged');
  });

  it('untagged reads never surge however many there are', () => {
    const r = score([roll(0, NO_TOPIC, { content_read: 10 })]);
    expect(r.stage).toBe('engaged');
    expect(r.topics[0]?.stage).toBe('engaged');
  });

  it('an identified demo request in the window is a hand-raise, explained with its age', () => {
    const r = score([roll(2, NO_TOPIC, { demo_request: 1 }, ['p1'], { demo_request: 1 })]);
    expect(r.stage).toBe('hand_raiser');
    expect(r.explanation[0]).toBe(
      'Hand-raise: a demo request by an identified person 2 days ago (source: browser, not verified).',
    );
  });

  it('several identified hand-raises are counted and dated by the latest', () => {
    const r = score([
      roll(0, NO_TOPIC, { pricing_view: 2 }, [], { pricing_view: 2 }),
      roll(4, NO_TOPIC, { pricing_view: 1 }, [], { pricing_view: 1 }),
    ]);
    expect(r.explanation[0]).toBe(
      'Hand-raise: 3 pricing-page visits by identified people, the latest today (source: browser, not verified).',
    );
  });

  it('says whether a hand-raise came from a verified server-side call or from a browser', () => {
    const verified = (n: number) => ({
      ...roll(0, NO_TOPIC, { demo_request: 2 }, [], { demo_request: 2 }),
      verified: { demo_request: n },
    });
    expect(score([verified(2)]).explanation[0]).toBe(
      'Hand-raise: 2 demo requests by identified people, the latest today (source: verified, all sent server-side).',
    );
    expect(score([verified(1)]).explanation[0]).toBe(
      'Hand-raise: 2 demo requests by identified people, the latest today (source: 1 verified, sent server-side; 1 from a browser).',
    );
    // A verified count is never more than the identified one it is part of.
    expect(score([verified(5)]).explanation[0]).toContain('(source: verified, all sent server-side)');
  });

  it('an identified hand-raise older than the window is not a hand-raise', () => {
    expect(score([roll(14, NO_TOPIC, { demo_request: 1 }, [], { demo_request: 1 })]).stage).toBe('cold');
  });

  it('signals.handRaise decides which identified signals raise a hand', () => {
    const rollups = [roll(0, 'dw', { content_download: 1 }, [], { content_download: 1 })];
    expect(score(rollups).stage).toBe('engaged');
    expect(score(rollups, { ...signals, handRaise: ['content_download'] }).stage).toBe('hand_raiser');
  });

  it('evidence only in the baseline leaves the account cold with score 0, explained by its last activity', () => {
    const r = score([roll(20, 'dw', { content_read: 3 }, ['a', 'b', 'c'])]);
    expect(r.stage).toBe('cold');
    expect(r.score).toBe(0);
    expect(r.topics[0]).toMatchObject({ topic: 'dw', score: 0, stage: 'cold', lastDay: day(20) });
    expect(r.explanation).toEqual(['No scored activity in the last 14 days.', 'Last activity 20 days ago.']);
  });
});

describe('scores', () => {
  it('3 x surgeReads reads today by one person score exactly 50', () => {
    const r = score([roll(0, 'dw', { content_read: 9 }, ['p1'])]);
    expect(r.topics[0]?.score).toBe(50);
    expect(r.score).toBe(50);
  });

  it('one person surging scores about 21; a committee of five surging together scores 90', () => {
    expect(score([roll(0, 'dw', { content_read: 3 }, ['p1'])]).score).toBe(20.6); // 1 - 2^(-1/3)
    // 5 people x 3 reads, breadth x2: raw 60 = 10/3 k ln2
    expect(score([roll(0, 'dw', { content_read: 15 }, ['a', 'b', 'c', 'd', 'e'])]).score).toBe(90.1);
  });

  it('the same reads one half-life ago weigh half as much', () => {
    const weekly = { ...signals, halfLifeDays: 7 };
    const now = score([roll(0, 'dw', { content_read: 18 })], weekly).score; // raw 36 = 2 * k ln2
    const then = score([roll(7, 'dw', { content_read: 18 })], weekly).score; // raw 18 = k ln2
    expect(now).toBe(75);
    expect(then).toBe(50);
  });

  it('only the window scores: baseline evidence feeds velocity, never the score', () => {
    const recent = score([roll(1, 'dw', { content_read: 3 }, ['a'])]);
    const withHistory = score([roll(1, 'dw', { content_read: 3 }, ['a']), roll(20, 'dw', { content_read: 8 }, ['b', 'c'])]);
    expect(withHistory.score).toBe(recent.score);
    expect(withHistory.topics[0]?.score).toBe(recent.topics[0]?.score);
    expect(withHistory.topics[0]?.velocity).toBeLessThan(recent.topics[0]?.velocity as number);
  });

  it('ignores rollups older than evidenceDays, in the future, or with an invalid day', () => {
    const base = [roll(1, 'dw', { content_read: 1 })];
    const noisy = [
      ...base,
      roll(42, 'dw', { demo_request: 5 }, [], { demo_request: 5 }),
      roll(-1, 'dw', { demo_request: 5 }, [], { demo_request: 5 }),
      { ...roll(0, 'dw', { demo_request: 5 }), day: '2025-02-31' },
      { ...roll(0, 'dw', { demo_request: 5 }), day: 'yesterday' },
    ];
    expect(score(noisy)).toEqual(score(base));
  });

  it('a buying committee strengthens a topic, up to five people', () => {
    const by = (people: string[]) => score([roll(0, 'dw', { content_read: 3 }, people)]).score;
    expect(by(['a', 'b', 'c'])).toBeGreaterThan(by(['a']));
    expect(by(['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toBe(by(['a', 'b', 'c', 'd', 'e']));
  });

  it('surging scores keep rising with more people and more reads, up to a committee, without saturating', () => {
    // `people` x `each` reads spread over the last 9 days, one rollup per day as the store keeps them.
    const committee = (people: number, each: number) => {
      const byAge = new Map<number, { n: number; who: Set<string> }>();
      for (let p = 0; p < people; p++) {
        for (let k = 0; k < each; k++) {
          const age = (p * 2 + k * 3) % 9;
          const d = byAge.get(age) ?? { n: 0, who: new Set<string>() };
          d.n += 1;
          d.who.add(`p${p}`);
          byAge.set(age, d);
        }
      }
      return score([...byAge].map(([age, d]) => roll(age, 'dw', { content_read: d.n }, [...d.who])));
    };
    for (let people = 1; people <= 5; people++) {
      for (let each = 3; each <= 5; each++) {
        const here = committee(people, each);
        expect(here.stage).toBe('surging');
        if (people < 5) expect(committee(people + 1, each).score).toBeGreaterThan(here.score);
        if (each < 5) expect(committee(people, each + 1).score).toBeGreaterThan(here.score);
      }
    }
    expect(committee(1, 4).score).toBeLessThan(30); // one person's surge sits low on the scale,
    expect(committee(3, 3).score).toBeGreaterThan(50); // a small committee passes the middle,
    expect(committee(5, 5).score).toBeLessThan(98); // and a full one still has room above it.
  });

  it('three reads on one topic beat the same three reads spread over three topics', () => {
    const focused = score([roll(0, 'dw', { content_read: 3 })]);
    const spread = score([
      roll(0, 'dw', { content_read: 1 }),
      roll(0, 'ml', { content_read: 1 }),
      roll(0, 'ai', { content_read: 1 }),
    ]);
    expect(focused.score).toBeGreaterThan(spread.score);
    expect(stageRank(focused.stage)).toBeGreaterThan(stageRank(spread.stage));
  });

  it('copies of one topic-day merge like a de-duplicating store: counts by maximum, people by union', () => {
    const once = score([roll(0, 'dw', { content_read: 2 }, ['a', 'b'])]);
    const merged = score([roll(0, 'dw', { content_read: 2 }, ['a']), roll(0, 'dw', { content_read: 1 }, ['b'])]);
    expect(merged).toEqual(once);
  });

  it('throws on an invalid today rather than guessing the clock', () => {
    expect(() => scoreIntent([], signals, '2025-13-01')).toThrow(RangeError);
  });
});

describe('topics, velocity and daily series', () => {
  it('lists topics strongest first with their window facts and last day', () => {
    const r = score([
      roll(3, 'ml', { page_view: 1 }, ['a']),
      roll(1, 'dw', { content_read: 2 }, ['a', 'b']),
      roll(30, 'dw', { page_view: 1 }),
    ]);
    expect(r.topics.map((t) => t.topic)).toEqual(['dw', 'ml']);
    expect(r.topics[0]).toMatchObject({ reads: 2, people: 2, lastDay: day(1) });
  });

  it('the daily series covers every window day, oldest first, ending today', () => {
    const t = score([roll(2, 'dw', { content_read: 3 })]).topics[0];
    expect(t?.daily).toHaveLength(14);
    expect(t?.daily[0]?.day).toBe(day(13));
    expect(t?.daily[13]).toEqual({ day: TODAY, score: 0 });
    expect(t?.daily[11]).toEqual({ day: day(2), score: 20.6 });
  });

  it('velocity is 1 when the recent weekly rate equals the baseline rate', () => {
    // 2 reads in 2 weeks vs 4 reads in 4 weeks: both 1 read a week.
    const t = score([roll(0, 'dw', { content_read: 2 }), roll(20, 'dw', { content_read: 4 })]).topics[0];
    expect(t?.velocity).toBe(1);
  });

  it('velocity rises with a fresh spike and falls below 1 when a topic goes quiet', () => {
    const spike = score([roll(0, 'dw', { content_read: 4 })]).topics[0];
    const quiet = score([roll(20, 'dw', { content_read: 4 })]).topics[0];
    expect(spike?.velocity).toBe(5); // (8 / 2 + 1) / (0 + 1)
    expect(quiet?.velocity).toBe(0.333); // (0 + 1) / (8 / 4 + 1)
  });

  it('velocity stays finite with a one-day window', () => {
    const t = scoreIntent([roll(0, 'dw', { demo_request: 50 })], { ...signals, windowDays: 1 }, TODAY).topics[0];
    expect(Number.isFinite(t?.velocity)).toBe(true);
  });
});

describe('explanation', () => {
  it('names people, domain, reads, span and the baseline rate with the topic display name', () => {
    const r = scoreIntent(
      [
        roll(0, 'dw', { content_read: 2 }, ['a', 'b']),
        roll(8, 'dw', { content_read: 2 }, ['c']),
        roll(20, 'dw', { content_read: 2 }, ['c']),
      ],
      signals,
      TODAY,
      { domain: 'acme.com', topicNames: { dw: 'Data warehousing' } },
    );
    expect(r.explanation).toEqual([
      'Surging: 3 people at acme.com read 4 articles on Data warehousing in the last 9 days; 0.5 a week in the 4 weeks before.',
    ]);
  });

  it('falls back to the topic id and describes downloads and webinars', () => {
    const r = score([roll(0, 'ml', { content_download: 1, webinar_registration: 2 }, ['a'])]);
    expect(r.explanation).toEqual([
      'Surging: 1 person downloaded 1 asset and registered for 2 webinars on ml today; none in the 4 weeks before.',
    ]);
  });

  it('spells out three topics and names the rest', () => {
    const r = score(
      ['a', 'b', 'c', 'd', 'e'].map((t, i) => roll(i, t, { content_read: 1 })),
      signals,
    );
    expect(r.explanation).toHaveLength(4);
    expect(r.explanation[3]).toBe('Also reading about d and e.');
  });
});

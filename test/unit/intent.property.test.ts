import { defaultSection, SIGNALS, type Signal, type SignalsConfig } from '@intent/config';
import { type AccountIntent, type DailyRollup, evidenceDays, NO_TOPIC, scoreIntent } from '@intent/intent';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayNumber, dayString } from '../../packages/intent/src/days';
import { stageRank } from '../../packages/intent/src/types';

const RUNS = { numRuns: 300 };
const TODAY = '2025-06-15';
const TODAY_NUM = dayNumber(TODAY) as number;
const day = (age: number): string => dayString(TODAY_NUM - age);
const TOPICS = [NO_TOPIC, 'a', 'b', 'c'];
const PEOPLE = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'];

/** Any valid signals section; `ordered` makes the weights follow the hierarchy of DOMAIN.md. */
const signalsArb = (ordered = false): fc.Arbitrary<SignalsConfig> =>
  fc
    .record({
      weights: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: SIGNALS.length, maxLength: SIGNALS.length }),
      handRaise: fc.subarray([...SIGNALS]),
      windowDays: fc.integer({ min: 1, max: 30 }),
      halfLifeDays: fc.integer({ min: 1, max: 60 }),
      surgeReads: fc.integer({ min: 1, max: 6 }),
    })
    .map(({ weights, ...rest }) => {
      const w = ordered ? [...weights].sort((x, y) => x - y) : weights;
      return {
        ...rest,
        eventMap: {},
        weights: Object.fromEntries(SIGNALS.map((s, i) => [s, w[i] ?? 0])) as Record<Signal, number>,
      };
    });

const countsArb = fc.dictionary(fc.constantFrom(...SIGNALS), fc.integer({ min: 0, max: 4 }), { maxKeys: 4 });

/** One rollup; ages from -2 (the future) to past the evidence range. */
const rollupArb = (minAge = -2, maxAge = 95): fc.Arbitrary<DailyRollup> =>
  fc
    .record({
      age: fc.integer({ min: minAge, max: maxAge }),
      topic: fc.constantFrom(...TOPICS),
      counts: countsArb,
      idShare: fc.dictionary(fc.constantFrom(...SIGNALS), fc.integer({ min: 0, max: 4 })),
      people: fc.subarray(PEOPLE, { maxLength: 3 }),
    })
    .map(({ age, topic, counts, idShare, people }) => ({
      day: day(age),
      topic,
      counts,
      // identified never exceeds counts, as the store writes them
      identified: Object.fromEntries(Object.entries(counts).map(([s, n]) => [s, Math.min(n, idShare[s as Signal] ?? 0)])),
      people,
    }));

const rollupsArb = (minAge?: number, maxAge?: number) => fc.array(rollupArb(minAge, maxAge), { maxLength: 16 });

/** Rollups with at most one per (topic, day), as the store holds them. */
const uniqueRollupsArb = (minAge?: number, maxAge?: number) =>
  fc.uniqueArray(rollupArb(minAge, maxAge), { maxLength: 16, selector: (r) => `${r.topic}|${r.day}` });

const topicScore = (r: AccountIntent, topic: string): number => r.topics.find((t) => t.topic === topic)?.score ?? 0;

/** `after` is at least as strong as `before`: account score, every topic score, and the stage. */
function expectNotWeaker(before: AccountIntent, after: AccountIntent): void {
  expect(after.score).toBeGreaterThanOrEqual(before.score);
  expect(stageRank(after.stage)).toBeGreaterThanOrEqual(stageRank(before.stage));
  for (const t of before.topics) expect(topicScore(after, t.topic)).toBeGreaterThanOrEqual(t.score);
}

describe('intent model properties', () => {
  it('output is always well formed: scores in 0..100, finite velocity, strongest topic first, full daily series', () => {
    fc.assert(
      fc.property(rollupsArb(), signalsArb(), (rollups, signals) => {
        const r = scoreIntent(rollups, signals, TODAY);
        expect(r.score).toBeGreaterThanOrEqual(0);
        expect(r.score).toBeLessThanOrEqual(100);
        for (const t of r.topics) {
          expect(t.score).toBeGreaterThanOrEqual(0);
          expect(t.score).toBeLessThanOrEqual(100);
          expect(Number.isFinite(t.velocity) && t.velocity > 0).toBe(true);
          expect(t.daily).toHaveLength(signals.windowDays);
          expect(t.daily.at(-1)?.day).toBe(TODAY);
          expect(stageRank(t.stage)).toBeLessThanOrEqual(stageRank(r.stage));
          if (t.topic === NO_TOPIC) expect(t.stage).not.toBe('surging');
          if (t.stage === 'cold') expect(t.score).toBe(0);
        }
        if (r.stage === 'cold') expect(r.score).toBe(0);
        const scores = r.topics.map((t) => t.score);
        expect(scores).toEqual([...scores].sort((x, y) => y - x));
        expect(r.explanation.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });

  it('adding any extra event never lowers the account score, a topic score or the stage', () => {
    fc.assert(
      fc.property(
        rollupsArb(),
        rollupArb(),
        fc.nat(),
        fc.constantFrom(...SIGNALS),
        fc.boolean(),
        signalsArb(),
        (rollups, fresh, pick, signal, identified, signals) => {
          const before = scoreIntent(rollups, signals, TODAY);
          // Either one more event in an existing rollup or a whole new rollup.
          const i = rollups.length > 0 ? pick % (rollups.length + 1) : 0;
          const grown = [...rollups];
          const target = grown[i];
          if (target) {
            const bump = (c: DailyRollup['counts']) => ({ ...c, [signal]: (c[signal] ?? 0) + 1 });
            grown[i] = {
              ...target,
              counts: bump(target.counts),
              identified: identified ? bump(target.identified) : target.identified,
            };
          } else {
            grown.push(fresh);
          }
          expectNotWeaker(before, scoreIntent(grown, signals, TODAY));
        },
      ),
      RUNS,
    );
  });

  it('upgrading an event to a stronger signal never lowers the account score or a topic score', () => {
    fc.assert(
      fc.property(uniqueRollupsArb(), fc.nat(), fc.nat(), signalsArb(true), (rollups, pick, step, signals) => {
        const i = pick % Math.max(rollups.length, 1);
        const target = rollups[i];
        const from = target && SIGNALS.find((s) => (target.counts[s] ?? 0) > (target.identified[s] ?? 0));
        if (!target || !from) return;
        const stronger = SIGNALS.slice(SIGNALS.indexOf(from));
        const to = stronger[step % stronger.length] as Signal;
        const counts = { ...target.counts, [from]: (target.counts[from] ?? 0) - 1 };
        counts[to] = (counts[to] ?? 0) + 1;
        const upgraded = rollups.map((r, j) => (j === i ? { ...r, counts } : r));
        const before = scoreIntent(rollups, signals, TODAY);
        const after = scoreIntent(upgraded, signals, TODAY);
        expect(after.score).toBeGreaterThanOrEqual(before.score);
        for (const t of before.topics) expect(topicScore(after, t.topic)).toBeGreaterThanOrEqual(t.score);
      }),
      RUNS,
    );
  });

  it('rollup order does not matter', () => {
    fc.assert(
      fc.property(
        rollupsArb().chain((rs) => fc.tuple(fc.constant(rs), fc.shuffledSubarray(rs, { minLength: rs.length }))),
        signalsArb(),
        ([rollups, shuffled], signals) => {
          expect(scoreIntent(shuffled, signals, TODAY)).toEqual(scoreIntent(rollups, signals, TODAY));
        },
      ),
      RUNS,
    );
  });

  it('replaying a subset of the rollups changes nothing: the result is a function of the set', () => {
    fc.assert(
      fc.property(
        rollupsArb().chain((rs) => fc.tuple(fc.constant(rs), fc.subarray(rs))),
        signalsArb(),
        ([rollups, replay], signals) => {
          const once = scoreIntent(rollups, signals, TODAY);
          expect(scoreIntent([...rollups, ...replay], signals, TODAY)).toEqual(once);
          expect(scoreIntent([...replay, ...rollups], signals, TODAY)).toEqual(once);
        },
      ),
      RUNS,
    );
  });

  it('the same events seen from a later day never score higher', () => {
    fc.assert(
      fc.property(rollupsArb(0), fc.integer({ min: 1, max: 60 }), signalsArb(), (rollups, later, signals) => {
        const now = scoreIntent(rollups, signals, TODAY);
        const afterwards = scoreIntent(rollups, signals, dayString(TODAY_NUM + later));
        expect(afterwards.score).toBeLessThanOrEqual(now.score);
        for (const t of afterwards.topics) expect(t.score).toBeLessThanOrEqual(topicScore(now, t.topic));
      }),
      RUNS,
    );
  });

  it('moving one rollup further back never raises the account score or its topic score', () => {
    fc.assert(
      fc.property(
        uniqueRollupsArb(0, 50),
        fc.nat(),
        fc.integer({ min: 1, max: 40 }),
        signalsArb(),
        (rollups, pick, back, signals) => {
          const target = rollups[pick % Math.max(rollups.length, 1)];
          if (!target) return;
          const older = day(TODAY_NUM - (dayNumber(target.day) as number) + back);
          if (rollups.some((r) => r.topic === target.topic && r.day === older)) return; // keep one rollup per key
          const moved = rollups.map((r) => (r === target ? { ...r, day: older } : r));
          const before = scoreIntent(rollups, signals, TODAY);
          const after = scoreIntent(moved, signals, TODAY);
          expect(after.score).toBeLessThanOrEqual(before.score);
          expect(topicScore(after, target.topic)).toBeLessThanOrEqual(topicScore(before, target.topic));
        },
      ),
      RUNS,
    );
  });

  it('evidence older than the window scores 0 and leaves the account cold, however strong it was', () => {
    fc.assert(
      fc.property(signalsArb(), rollupsArb(0, 95), (signals, rollups) => {
        const stale = rollups.filter((r) => TODAY_NUM - (dayNumber(r.day) as number) >= signals.windowDays);
        const r = scoreIntent(stale, signals, TODAY);
        expect(r.score).toBe(0);
        expect(r.stage).toBe('cold');
        for (const t of r.topics) expect(t.score).toBe(0);
      }),
      RUNS,
    );
  });

  it('with the default signals, a committee of 3-5 surging people outscores one person surging alone', () => {
    const signals = defaultSection('signals');
    const windowAge = fc.integer({ min: 0, max: signals.windowDays - 1 });
    // Each committee member reads surgeReads articles on the topic, any days in the window.
    const committeeArb = fc.integer({ min: 3, max: 5 }).chain((n) =>
      fc.array(fc.array(windowAge, { minLength: signals.surgeReads, maxLength: signals.surgeReads }), {
        minLength: n,
        maxLength: n,
      }),
    );
    // One person reads surgeReads or one more, any days in the window.
    const singleArb = fc.array(windowAge, { minLength: signals.surgeReads, maxLength: signals.surgeReads + 1 });
    const rollupsOf = (readsByPerson: number[][]): DailyRollup[] => {
      const byAge = new Map<number, { n: number; people: Set<string> }>();
      readsByPerson.forEach((ages, p) => {
        for (const a of ages) {
          const d = byAge.get(a) ?? { n: 0, people: new Set<string>() };
          d.n += 1;
          d.people.add(`p${p}`);
          byAge.set(a, d);
        }
      });
      return [...byAge].map(([a, d]) => ({
        day: day(a),
        topic: 'a',
        counts: { content_read: d.n },
        identified: {},
        people: [...d.people],
      }));
    };
    fc.assert(
      fc.property(committeeArb, singleArb, (committee, single) => {
        const c = scoreIntent(rollupsOf(committee), signals, TODAY);
        const s = scoreIntent(rollupsOf([single]), signals, TODAY);
        expect(c.stage).toBe('surging');
        expect(s.stage).toBe('surging');
        expect(c.score).toBeGreaterThan(s.score);
      }),
      RUNS,
    );
  });

  it('three reads on one topic beat the same three reads spread over three topics', () => {
    fc.assert(
      fc.property(
        signalsArb().filter((s) => s.weights.content_read > 0),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...PEOPLE)), { minLength: 3, maxLength: 3 }),
        (signals, reads) => {
          // Reads young enough that decay keeps each at half weight or more.
          const horizon = Math.min(signals.windowDays, signals.halfLifeDays);
          const ages = reads.map(([a, p]) => [a % horizon, p] as const);
          const spread = ages.map(([a, p], i) => ({
            day: day(a),
            topic: TOPICS[i + 1] as string,
            counts: { content_read: 1 },
            identified: {},
            people: [p],
          }));
          // The same reads on one topic, rolled up per day the way the store would.
          const byDay = new Map<number, { n: number; people: Set<string> }>();
          for (const [a, p] of ages) {
            const d = byDay.get(a) ?? { n: 0, people: new Set<string>() };
            d.n += 1;
            d.people.add(p);
            byDay.set(a, d);
          }
          const focused = [...byDay].map(([a, d]) => ({
            day: day(a),
            topic: 'a',
            counts: { content_read: d.n },
            identified: {},
            people: [...d.people],
          }));
          const f = scoreIntent(focused, signals, TODAY);
          const s = scoreIntent(spread, signals, TODAY);
          expect(f.score).toBeGreaterThan(s.score);
          expect(stageRank(f.stage)).toBeGreaterThanOrEqual(stageRank(s.stage));
        },
      ),
      RUNS,
    );
  });

  it('adding hand-raise events never lowers the stage, and an identified one in the window makes a hand-raiser', () => {
    fc.assert(
      fc.property(
        rollupsArb(),
        signalsArb().filter((s) => s.handRaise.length > 0),
        fc.nat(),
        fc.integer({ min: -2, max: 95 }),
        fc.constantFrom(...TOPICS),
        fc.boolean(),
        (rollups, signals, pick, age, topic, identified) => {
          const signal = signals.handRaise[pick % signals.handRaise.length] as Signal;
          const raise: DailyRollup = {
            day: day(age),
            topic,
            counts: { [signal]: 1 },
            identified: identified ? { [signal]: 1 } : {},
            people: ['p9'],
          };
          const before = scoreIntent(rollups, signals, TODAY);
          const after = scoreIntent([...rollups, raise], signals, TODAY);
          expect(stageRank(after.stage)).toBeGreaterThanOrEqual(stageRank(before.stage));
          const inWindow = age >= 0 && age < signals.windowDays;
          if (identified && inWindow) expect(after.stage).toBe('hand_raiser');
          if (age < 0 || age >= evidenceDays(signals)) expect(after).toEqual(before);
        },
      ),
      RUNS,
    );
  });
});

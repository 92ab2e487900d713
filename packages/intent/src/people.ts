/**
 * Distinct-people sets are bounded by distinct sampling: a set keeps every person until it
 * holds PEOPLE_CAP of them, then only the persons whose rank reaches the set's level, raising
 * the level (dropping the others) whenever it would hold more. A person's rank is the number of
 * leading zero bits of its hash, so each level keeps about half the persons of the one below,
 * and `size x 2^level` estimates the distinct count (exact at level 0; about 1/sqrt(PEOPLE_CAP)
 * relative error above). Sets of different days merge at the highest of their levels.
 */
export const PEOPLE_CAP = 64;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const RANK_BITS = 24;

/** Leading zero bits of the first 24 bits of a person (a keyed base64url hash): 0 half the time, 1 a quarter... */
export function personRank(person: string): number {
  let v = 0;
  for (let i = 0; i < 4; i++) v = v * 64 + Math.max(0, ALPHABET.indexOf(person[i] ?? 'A'));
  return v === 0 ? RANK_BITS : Math.clz32(v) - (32 - RANK_BITS);
}

/** A sampled set: its members and the level they were kept at. */
export interface PeopleSample {
  members: Iterable<string>;
  level: number;
}

/** The lowest level, at or above `from`, that keeps at most PEOPLE_CAP of these persons. */
export function levelFor(persons: Iterable<string>, from = 0): number {
  const ranks = [...persons].map(personRank).sort((a, b) => b - a);
  if (ranks.length <= PEOPLE_CAP) return from;
  // The (cap+1)-th highest rank must fall below the level.
  return Math.max(from, (ranks[PEOPLE_CAP] as number) + 1);
}

/** The union of samples, at the highest of their levels: the members kept and that level. */
export function mergeSamples(samples: readonly PeopleSample[]): { members: Set<string>; level: number } {
  const level = samples.reduce((max, s) => Math.max(max, s.level), 0);
  const members = new Set<string>();
  for (const s of samples) for (const p of s.members) if (personRank(p) >= level) members.add(p);
  return { members, level };
}

/** Distinct people a merged sample stands for: exact at level 0, else an estimate. */
export const estimatePeople = (sample: { members: Set<string>; level: number }): number =>
  sample.members.size * 2 ** sample.level;

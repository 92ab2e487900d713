import { SIGNALS, type SignalsConfig, STAGES } from '@intent/config';
import { Firmographics, type Fit } from '@intent/fit';
import type { AccountIntent, TopicSignals } from '@intent/intent';
import { z } from 'zod';

/**
 * What a push knew: the evidence behind an account entering a pod's queue, kept on the push
 * record so that calibration learns only from what was known at push time (the account's
 * rollups, firmographics and score keep changing afterwards).
 *
 * Size bound: at most MAX_EVIDENCE_TOPICS topics (the strongest, as the score lists them), each
 * an id of at most 63 characters and four maps of at most 6 numbers (about 400 bytes); the
 * firmographics' strings are at most 200 characters and the technology stack is cut to
 * MAX_EVIDENCE_TECH entries. So a snapshot stays under 32 KB in the worst case and is about
 * 1-2 KB typically: far from DynamoDB's 400 KB item limit.
 */
export const MAX_EVIDENCE_TOPICS = 20;
export const MAX_EVIDENCE_TECH = 50;

const HAND_RAISE_SOURCES = ['verified', 'browser', 'none'] as const;
export type HandRaiseSource = (typeof HAND_RAISE_SOURCES)[number];
const CRITERION_STATUSES = ['matched', 'failed', 'unknown'] as const;

const PerSignal = z.partialRecord(z.enum(SIGNALS), z.number().nonnegative());
const Stage = z.enum(STAGES);

const TopicEvidence = z.object({
  topic: z.string().max(63),
  stage: Stage,
  people: z.number().nonnegative(),
  counts: PerSignal,
  identified: PerSignal,
  verified: PerSignal,
  decayed: PerSignal,
});

/** The snapshot a push keeps (version 1). Parsed back with this schema: anything else is ignored. */
export const PushEvidence = z.object({
  v: z.literal(1),
  stage: Stage,
  intentScore: z.number(),
  priority: z.number(),
  fit: z.object({
    score: z.number(),
    tier: z.enum(['A', 'B', 'C', 'D']),
    excluded: z.boolean(),
    /** Each ICP criterion the fit judged, and how (a technology bonus is not a criterion). */
    criteria: z.record(z.string(), z.enum(CRITERION_STATUSES)),
  }),
  firmographics: Firmographics,
  topics: z.array(TopicEvidence).max(MAX_EVIDENCE_TOPICS),
  /** The most distinct people seen on one topic in the window: the breadth of the account's interest. */
  people: z.number().nonnegative(),
  /** How the strongest hand-raise in the window came in: a server-side (verified) call, a browser's claim, or none. */
  handRaise: z.enum(HAND_RAISE_SOURCES),
});
export type PushEvidence = z.infer<typeof PushEvidence>;
export type TopicEvidence = z.infer<typeof TopicEvidence>;

export interface EvidenceInputs {
  fit: Fit;
  intent: AccountIntent;
  priority: number;
  /** The window's evidence per topic and signal (`topicSignals`), strongest first. */
  topics: readonly TopicSignals[];
  firmographics: Firmographics;
  /** The signals configuration the push was scored with (its hand-raise signals). */
  signals: Pick<SignalsConfig, 'handRaise'>;
}

/** The snapshot of one push, bounded as MAX_EVIDENCE_TOPICS and MAX_EVIDENCE_TECH say. */
export function pushEvidence({ fit, intent, priority, topics, firmographics, signals }: EvidenceInputs): PushEvidence {
  const kept = topics.slice(0, MAX_EVIDENCE_TOPICS);
  const criteria: Record<string, (typeof CRITERION_STATUSES)[number]> = {};
  for (const r of fit.reasons) {
    if (r.status === 'matched' || r.status === 'failed' || r.status === 'unknown') criteria[r.criterion] = r.status;
  }
  const { techStack, ...rest } = firmographics;
  return {
    v: 1,
    stage: intent.stage,
    intentScore: intent.score,
    priority,
    fit: { score: fit.score, tier: fit.tier, excluded: fit.excluded, criteria },
    firmographics: { ...rest, ...(techStack && { techStack: techStack.slice(0, MAX_EVIDENCE_TECH) }) },
    topics: kept.map((t) => ({ ...t })),
    people: Math.max(0, ...kept.map((t) => t.people)),
    handRaise: handRaiseSource(kept, signals.handRaise),
  };
}

/** Verified when any hand-raise came server-side, else browser when any came at all, else none. */
export function handRaiseSource(topics: readonly Pick<TopicSignals, 'identified' | 'verified'>[], handRaise: readonly string[]) {
  const any = (field: 'identified' | 'verified') =>
    topics.some((t) => handRaise.some((s) => (t[field][s as keyof typeof t.identified] ?? 0) > 0));
  return any('verified') ? 'verified' : any('identified') ? 'browser' : 'none';
}

import { SIGNALS } from '@intent/config';
import { NO_TOPIC } from '@intent/intent';
import type { PushEvidence } from './evidence';

/** The kinds of feature a push is described by, in the order the report explains them. */
export const FEATURE_KINDS = ['signal', 'topic', 'stage', 'tier', 'icp', 'people', 'handRaise'] as const;
export type FeatureKind = (typeof FEATURE_KINDS)[number];

/** Breadth buckets: one reader, a pair or trio, a committee of four or more. */
function peopleBucket(people: number): string {
  if (people >= 4) return '4+';
  if (people >= 2) return '2-3';
  return '1';
}

/**
 * The features of one push, as `kind:value` names: each signal seen in the window, each topic
 * read (untagged traffic is no topic), the stage, the fit tier, each ICP criterion the account
 * matched (`icp:employees`: a criterion the push did not match is the feature's absence),
 * the breadth of people on its strongest topic, and where its hand-raise came from.
 */
export function featuresOf(e: PushEvidence): string[] {
  const out: string[] = [];
  for (const s of SIGNALS) if (e.topics.some((t) => (t.counts[s] ?? 0) > 0)) out.push(`signal:${s}`);
  for (const t of e.topics) {
    if (t.topic !== NO_TOPIC && Object.values(t.counts).some((c) => (c ?? 0) > 0)) out.push(`topic:${t.topic}`);
  }
  out.push(`stage:${e.stage}`, `tier:${e.fit.tier}`);
  for (const [criterion, status] of Object.entries(e.fit.criteria)) if (status === 'matched') out.push(`icp:${criterion}`);
  out.push(`people:${peopleBucket(e.people)}`, `handRaise:${e.handRaise}`);
  return out;
}

export function kindOf(feature: string): FeatureKind {
  return feature.slice(0, feature.indexOf(':')) as FeatureKind;
}

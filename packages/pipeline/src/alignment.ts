import type { Config } from '@intent/config';
import type { Store } from '@intent/store';
import { type AlignmentMetrics, alignmentByPod } from './metrics';

export interface AlignmentReport {
  window: { from: string; to: string };
  overall: AlignmentMetrics;
  pods: Record<string, AlignmentMetrics>;
}

/**
 * The alignment metrics of the pushes made in [from, to], for every configured pod (a pod
 * with no pushes answers zeros) and overall: one query per pod over its push records.
 */
export async function alignmentReport(store: Store, config: Config, from: Date, to: Date, now: Date): Promise<AlignmentReport> {
  const window = { from: from.toISOString(), to: to.toISOString() };
  const pods = config.pods.pods.map((p) => p.id);
  const pushes = await Promise.all(pods.map((podId) => store.pushes.inWindow(podId, window.from, window.to)));
  const metrics = alignmentByPod(Object.fromEntries(pods.map((podId, i) => [podId, pushes[i] ?? []])), config.sla, now);
  return { window, ...metrics };
}

import { json, notFound, type Route, requireScope } from '@intent/http';
import { jobView } from '@intent/pipeline';
import type { JobKind } from '@intent/store';
import { principalOf, store } from './deps';

const KINDS: JobKind[] = ['decay', 'rescore', 'rematerialise'];

export const jobRoutes: Record<string, Route> = {
  /** The latest job of each kind: where to look when the id is not at hand (the hourly decay walk). */
  'GET /v1/jobs': async (req) => {
    requireScope(await principalOf(req), 'admin');
    const latest = await Promise.all(KINDS.map((kind) => store.jobs.latest(kind)));
    return json(200, { jobs: latest.flatMap((job) => (job ? [jobView(job)] : [])) });
  },
  /** A job's status and progress: shards done, steps taken, accounts walked and what changed. */
  'GET /v1/jobs/{id}': async (req) => {
    requireScope(await principalOf(req), 'admin');
    const job = await store.jobs.get(req.params.id ?? '');
    if (!job) throw notFound(`no job "${req.params.id}" (jobs are kept 30 days)`);
    return json(200, jobView(job));
  },
};

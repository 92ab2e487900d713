import type { SQSClient } from '@aws-sdk/client-sqs';
import { PodsSection } from '@intent/config';
import { authenticate, type HttpRequest, hasScope, jsonBody, type KeyLookup, toRequest } from '@intent/http';
import { podQueue } from '@intent/resources';
import type { HttpLambda } from './gateway';
import { createQueue, type LocalQueue } from './queues';

/**
 * The local stack's pod queues. In AWS a pod's queue comes with a deploy; locally it is made
 * as soon as the pods configuration names the pod, and every consumer learns its URL, so
 * integrations get the pod's messages without a restart.
 */
export class PodQueues {
  private readonly byPod = new Map<string, string>();
  /** One change at a time, so two configuration changes never publish an older map last. */
  private chain: Promise<unknown> = Promise.resolve();

  /**
   * @param queues the stack's queues by queue id; new pod queues are added to it, so a clean
   *   stop saves their messages too.
   * @param announce makes a new map of pod queue URLs known to every consumer.
   */
  constructor(
    private readonly sqs: SQSClient,
    private readonly queues: Record<string, LocalQueue>,
    private readonly announce: (urls: Record<string, string>) => Promise<void>,
  ) {}

  /** Creates the queues of the pods given (once the stack starts: without announcing them). */
  async createAtStart(podIds: string[]): Promise<void> {
    for (const id of podIds) await this.create(id);
  }

  /** Pod id -> queue URL of every pod queue made so far. */
  urls(): Record<string, string> {
    return Object.fromEntries(this.byPod);
  }

  /** Makes the queues these pods lack and announces the new URLs; answers the pods whose queue it made. */
  ensure(podIds: string[]): Promise<string[]> {
    const run = this.chain.then(async () => {
      const missing = podIds.filter((id) => !this.byPod.has(id));
      for (const id of missing) await this.create(id);
      if (missing.length) await this.announce(this.urls());
      return missing;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async create(podId: string): Promise<void> {
    const queue = await createQueue(this.sqs, podQueue(podId));
    this.queues[queue.def.id] = queue;
    this.byPod.set(podId, queue.url);
  }
}

/** What the api function's wrapper needs to know who asks, and what a restore of `pods` would store. */
export interface PodsAccess {
  keys: KeyLookup;
  bootstrapAdminSha256: string;
  /** The value of revision `n` of the `pods` section, undefined when there is none. */
  podsRevision: (n: number) => Promise<unknown>;
}

/**
 * The api function, except that a `PUT /v1/config/pods` (or a restore of one of its revisions)
 * it is about to store (an admin key, a valid section) first gets a queue for each new pod.
 * Before the handler, not after its answer: the re-score that the change starts may route an
 * account to a new pod before the answer is back, and its message must find the queue. A queue
 * that cannot be made is reported and the change goes on: the answer's `needsDeploy` then names the pod.
 */
export function makingPodQueues(
  api: HttpLambda,
  podQueues: PodQueues,
  access: PodsAccess,
  onError: (err: unknown) => void,
): HttpLambda {
  return async (event, context) => {
    const storing =
      event.routeKey === 'PUT /v1/config/{section}' || event.routeKey === 'POST /v1/config/{section}/revisions/{n}/restore';
    if (storing && event.pathParameters?.section === 'pods') {
      const pods = await podsAboutToBeStored(event, access);
      if (pods) await podQueues.ensure(pods).catch(onError);
    }
    return api(event, context);
  };
}

/** The pod ids of the section the api function will store for this request; undefined when it will refuse it. */
async function podsAboutToBeStored(event: Parameters<HttpLambda>[0], access: PodsAccess): Promise<string[] | undefined> {
  let req: HttpRequest;
  let body: unknown;
  try {
    req = toRequest(event);
    if (!hasScope(await authenticate(req, access.keys, access.bootstrapAdminSha256), 'admin')) return undefined;
    const n = req.params.n;
    // A restore names the revision as the handler accepts it: a whole number from 1, 12 digits at most.
    body = n === undefined ? jsonBody(req) : /^[1-9]\d{0,11}$/.test(n) ? await access.podsRevision(Number(n)) : undefined;
  } catch {
    // Refused (no key, not JSON, no such revision): the handler answers why.
    return undefined;
  }
  const parsed = PodsSection.safeParse(body);
  return parsed.success ? parsed.data.pods.map((p) => p.id) : undefined;
}

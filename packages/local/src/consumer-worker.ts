import { parentPort, workerData } from 'node:worker_threads';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type PollerOptions, QueuePoller, type SqsLambda } from './poller';

/**
 * A queue consumer in a worker thread of its own, as a Lambda function runs apart from the
 * services it calls: the handler module, its SDK clients and the poller live here, so their
 * work runs on another core than the HTTP API and the stand-ins. `worker-poller.ts` drives it.
 */
export interface ConsumerWorkerData {
  /** File URL of the handler module. */
  entry: string;
  sqsEndpoint: string;
  region: string;
  options: PollerOptions;
  /** Modules imported before the handler (instrumentation, e.g. the bench's request counter). */
  preload: string[];
}

/**
 * From the parent, each answered by `done` with its id: stop (and with `restart`, start again);
 * start again after a stop without restart (a pause); set environment variables (a worker has
 * its own copy of the environment, and the handler reads some again at run time, such as the
 * pod queue URLs when a pod's queue is added).
 */
export type ConsumerCommand =
  | { type: 'stop'; id: number; drain: boolean; timeoutMs?: number; restart: boolean }
  | { type: 'start'; id: number }
  | { type: 'env'; id: number; vars: Record<string, string> };
export type ConsumerEvent = { type: 'done'; id: number } | { type: 'error'; error: string } | { type: 'ready' };

const port = parentPort;
if (!port) throw new Error('consumer-worker.ts runs as a worker thread');
const data = workerData as ConsumerWorkerData;
const sqs = new SQSClient({
  region: data.region,
  endpoint: data.sqsEndpoint,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  useQueueUrlAsEndpoint: false,
});
for (const module of data.preload) await import(module);
const { handler } = (await import(data.entry)) as { handler: SqsLambda };
const report = (err: unknown) =>
  port.postMessage({ type: 'error', error: String((err as Error)?.stack ?? err) } satisfies ConsumerEvent);
const poller = new QueuePoller(sqs, handler, data.options, report);
port.on('message', (command: ConsumerCommand) => {
  const done = () => port.postMessage({ type: 'done', id: command.id } satisfies ConsumerEvent);
  if (command.type === 'env') {
    Object.assign(process.env, command.vars);
    done();
    return;
  }
  if (command.type === 'start') {
    poller.resume().then(done, report);
    return;
  }
  poller.stop(command).then(() => {
    if (command.restart) poller.start();
    done();
  }, report);
});
poller.start();
port.postMessage({ type: 'ready' } satisfies ConsumerEvent);

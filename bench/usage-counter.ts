import { subscribe } from 'node:diagnostics_channel';
import { isMainThread, workerData } from 'node:worker_threads';
import { SQSClient } from '@aws-sdk/client-sqs';
import { INVOCATION_CHANNEL, type Invocation } from '@intent/local';
import { askWorkers } from './ask-workers';

/** SQS bills each 64 KB chunk of a request's payload as one request. */
export const SQS_BILLING_CHUNK_BYTES = 64 * 1024;

/** Lambda invocations of one function, as the local runtime made them. */
export interface InvocationStats {
  invocations: number;
  /** Sum of each invocation's wall time rounded up to the millisecond, as Lambda bills it. */
  billedMs: number;
  /**
   * Time with at least one invocation in flight. Concurrent invocations on one event loop share
   * its CPU, so their summed wall time counts the same work several times over; in Lambda each
   * instance runs one at a time. What the cost model prices.
   */
  busyMs: number;
  /** SQS records handed over (consumers only). */
  records: number;
}

/** SQS calls of one operation, counted on the SDK clients. */
export interface SqsOperationStats {
  calls: number;
  /** What SQS bills: each call's payload in 64 KB chunks (at least one). */
  billedRequests: number;
  messages: number;
  /** Receives that answered no message (idle long polls: a fixed cost in AWS, priced apart). */
  empty: number;
  /** Bytes of the message bodies sent or received. */
  bytes: number;
}

/** What one thread (or all of them, added up) used while the counter recorded. */
export interface Usage {
  functions: Record<string, InvocationStats>;
  sqs: Record<string, SqsOperationStats>;
  /**
   * Bytes of the log lines the handlers wrote at the deployed level (INFO): their loggers'
   * JSON lines and the rollup's metrics line (EMF), what CloudWatch Logs would ingest.
   */
  logBytes: number;
  logLines: number;
  /** Of those bytes, by thread: `main` (the collector and the API) and each consumer worker's function. */
  logBytesByThread: Record<string, number>;
  /** Billed send requests by thread: `main` holds the collector's (the only sender to the ingest queue). */
  sendsByThread: Record<string, number>;
}

const SQS_BILLED = new Set([
  'SendMessage',
  'SendMessageBatch',
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
]);

const empty = (): Usage => ({ functions: {}, sqs: {}, logBytes: 0, logLines: 0, logBytesByThread: {}, sendsByThread: {} });

/** This thread's name in `logBytesByThread`: a consumer worker runs one function. */
const THREAD = isMainThread
  ? 'main'
  : String((workerData as { options?: { functionName?: string } } | undefined)?.options?.functionName ?? 'worker');

/**
 * Counts, in this thread: handler invocations (the local runtime's diagnostics channel), SQS
 * calls on every SQS client (the collector's sends, the pollers' receives and deletes, the
 * rollup's sends to pods and audiences) and the handlers' log lines. Installed once per
 * thread, before the handlers' clients and loggers exist.
 */
class UsageCounter {
  recording = false;
  usage = empty();
  /** Each function's invocation intervals while recording: `busyMs` is their union. */
  private intervals = new Map<string, [number, number][]>();

  install(): void {
    subscribe(INVOCATION_CHANNEL, (message) => {
      if (!this.recording) return;
      const m = message as Invocation;
      const stats = this.usage.functions[m.functionName] ?? { invocations: 0, billedMs: 0, busyMs: 0, records: 0 };
      this.usage.functions[m.functionName] = stats;
      stats.invocations++;
      stats.billedMs += Math.max(1, Math.ceil(m.ms));
      stats.records += m.records ?? 0;
      const list = this.intervals.get(m.functionName) ?? [];
      list.push([m.startMs, m.startMs + m.ms]);
      this.intervals.set(m.functionName, list);
    });
    const send = SQSClient.prototype.send;
    const counter = this;
    // Every client of the thread: the poller's is private to the local runtime.
    SQSClient.prototype.send = async function (this: SQSClient, command: Parameters<SQSClient['send']>[0], ...rest: unknown[]) {
      const op = command.constructor.name.replace(/Command$/, '');
      const out = await (send as (...a: unknown[]) => Promise<unknown>).call(this, command, ...rest);
      if (counter.recording && SQS_BILLED.has(op)) counter.recordSqs(op, command.input as Record<string, unknown>, out);
      return out;
    } as SQSClient['send'];
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream) as (...a: unknown[]) => boolean;
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
        // A handler's JSON log line below ERROR, or a metrics line: counted, and kept off the
        // bench's output (errors still show).
        if (text?.startsWith('{') && !text.includes('"level":"ERROR"')) {
          if (this.recording) {
            const bytes = Buffer.byteLength(text);
            this.usage.logBytes += bytes;
            this.usage.logBytesByThread[THREAD] = (this.usage.logBytesByThread[THREAD] ?? 0) + bytes;
            this.usage.logLines += text.split('\n').filter(Boolean).length;
          }
          const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
          callback?.();
          return true;
        }
        return write(chunk, ...rest);
      }) as typeof stream.write;
    }
  }

  begin(): void {
    this.usage = empty();
    this.intervals = new Map();
    this.recording = true;
  }

  end(): Usage {
    this.recording = false;
    for (const [name, list] of this.intervals) {
      const stats = this.usage.functions[name];
      if (stats) stats.busyMs = Math.round(unionMs(list));
    }
    return this.usage;
  }

  private recordSqs(op: string, input: Record<string, unknown>, out: unknown): void {
    const stats = this.usage.sqs[op] ?? { calls: 0, billedRequests: 0, messages: 0, empty: 0, bytes: 0 };
    this.usage.sqs[op] = stats;
    stats.calls++;
    let bytes = 0;
    let messages = 1;
    if (op === 'SendMessage') bytes = Buffer.byteLength(String(input.MessageBody ?? ''));
    else if (op === 'SendMessageBatch') {
      const entries = (input.Entries ?? []) as { MessageBody?: string }[];
      messages = entries.length;
      bytes = entries.reduce((n, e) => n + Buffer.byteLength(e.MessageBody ?? ''), 0);
    } else if (op === 'ReceiveMessage') {
      const received = ((out as { Messages?: { Body?: string }[] }).Messages ?? []) as { Body?: string }[];
      messages = received.length;
      bytes = received.reduce((n, m) => n + Buffer.byteLength(m.Body ?? ''), 0);
      if (!messages) stats.empty++;
    } else if (op.endsWith('Batch')) messages = ((input.Entries ?? []) as unknown[]).length;
    stats.messages += messages;
    stats.bytes += bytes;
    const billed = Math.max(1, Math.ceil(bytes / SQS_BILLING_CHUNK_BYTES));
    stats.billedRequests += billed;
    if (op.startsWith('SendMessage')) this.usage.sendsByThread[THREAD] = (this.usage.sendsByThread[THREAD] ?? 0) + billed;
  }
}

const counter = new UsageCounter();
let installed = false;

/** Installs this thread's counter (once): run.ts's first import, and each consumer worker's preload. */
export function installUsageCounter(): void {
  if (installed) return;
  installed = true;
  counter.install();
}

const CHANNEL = 'intent-bench-usage-counter';
type UsageMessage =
  | { type: 'start' | 'stop'; id: number }
  | { type: 'started'; id: number }
  | { type: 'usage'; id: number; usage: Usage };

/** In a consumer worker: answers the main thread's `ThreadedUsageCounter`. */
export function countUsageForMainThread(): void {
  installUsageCounter();
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (e) => {
    const m = (e as MessageEvent<UsageMessage>).data;
    if (m.type === 'start') {
      counter.begin();
      channel.postMessage({ type: 'started', id: m.id } satisfies UsageMessage);
    } else if (m.type === 'stop') {
      channel.postMessage({ type: 'usage', id: m.id, usage: counter.end() } satisfies UsageMessage);
    }
  };
  (channel as BroadcastChannel & { unref?: () => void }).unref?.();
}

/** What this thread and `workers` consumer worker threads used, added up. */
export class ThreadedUsageCounter {
  private readonly channel = new BroadcastChannel(CHANNEL);
  private next = 0;

  constructor(private readonly workers: number) {
    installUsageCounter();
    (this.channel as BroadcastChannel & { unref?: () => void }).unref?.();
  }

  async start(): Promise<void> {
    await this.ask('start', 'started');
    counter.begin();
  }

  async stop(): Promise<Usage> {
    const local = counter.end();
    const remote = await this.ask('stop', 'usage');
    return remote.reduce(addUsage, local);
  }

  close(): void {
    this.channel.close();
  }

  private ask(type: 'start' | 'stop', answer: 'started' | 'usage'): Promise<Usage[]> {
    return askWorkers<UsageMessage, Usage>(this.channel, this.workers, { type, id: this.next++ }, answer, (m) =>
      m.type === 'usage' ? m.usage : empty(),
    );
  }
}

function addUsage(a: Usage, b: Usage): Usage {
  const functions = { ...a.functions };
  for (const [name, s] of Object.entries(b.functions)) {
    const t = functions[name] ?? { invocations: 0, billedMs: 0, busyMs: 0, records: 0 };
    functions[name] = {
      invocations: t.invocations + s.invocations,
      billedMs: t.billedMs + s.billedMs,
      busyMs: t.busyMs + s.busyMs,
      records: t.records + s.records,
    };
  }
  const sqs = { ...a.sqs };
  for (const [op, s] of Object.entries(b.sqs)) {
    const t = sqs[op] ?? { calls: 0, billedRequests: 0, messages: 0, empty: 0, bytes: 0 };
    sqs[op] = {
      calls: t.calls + s.calls,
      billedRequests: t.billedRequests + s.billedRequests,
      messages: t.messages + s.messages,
      empty: t.empty + s.empty,
      bytes: t.bytes + s.bytes,
    };
  }
  const logBytesByThread = { ...a.logBytesByThread };
  for (const [thread, n] of Object.entries(b.logBytesByThread)) logBytesByThread[thread] = (logBytesByThread[thread] ?? 0) + n;
  const sendsByThread = { ...a.sendsByThread };
  for (const [thread, n] of Object.entries(b.sendsByThread)) sendsByThread[thread] = (sendsByThread[thread] ?? 0) + n;
  return {
    functions,
    sqs,
    logBytes: a.logBytes + b.logBytes,
    logLines: a.logLines + b.logLines,
    logBytesByThread,
    sendsByThread,
  };
}

/** Milliseconds covered by at least one of the intervals. */
function unionMs(intervals: [number, number][]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [start, end] = sorted[0] ?? [0, 0];
  for (const [s, e] of sorted.slice(1)) {
    if (s > end) {
      total += end - start;
      [start, end] = [s, e];
    } else end = Math.max(end, e);
  }
  return total + (end - start);
}

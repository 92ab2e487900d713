import { type AudienceMember, type ExportFormat, exportRows, netChanges } from '@intent/audiences';
import type { LogEntry, Store } from '@intent/store';
import { stringify } from 'csv-stringify/sync';

/**
 * Long answers about an audience (its full membership, a delta since a cursor, a CSV export)
 * come in pages, each bounded by a byte budget: at most `MAX_PAGE_BYTES` of what the function
 * returns, measured as Lambda's response payload carries it (the body as a JSON string, so
 * quotes and line breaks count escaped). That keeps every answer under the contract's 5 MB and
 * Lambda's 6 MB whatever the members' names hold; a page always carries at least one entry.
 */
export const MAX_PAGE_BYTES = 4 * 1024 * 1024;
/** Members read per Query while a page fills. */
const READ_PAGE = 500;
/** Log entries read per Query while a delta page fills. */
const LOG_READ = 1000;
/** A sequence number left unwritten this long was abandoned by a writer that died. */
const ABANDONED_AFTER_MS = 2 * 60_000;

/** The bytes `text` takes inside a JSON string (escapes included), without the quotes. */
function escapedBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text)) - 2;
}

/** The bytes a value takes in a JSON answer, as the response payload carries that answer. */
const jsonBytes = (value: unknown) => escapedBytes(JSON.stringify(value)) + 1;

export interface MembersPage<T> {
  entries: T[];
  /** The last domain of this page, when more may follow: where the next page starts. */
  last?: string;
}

/**
 * Current members in domain order after `after`, as `render` shows each, while they fit in
 * `maxBytes` (and `maxItems`), at least one.
 */
async function fillPage<T>(
  store: Store,
  audienceId: string,
  after: string | undefined,
  limits: { maxBytes: number; maxItems: number },
  render: (member: AudienceMember) => { entry: T; bytes: number },
): Promise<MembersPage<T>> {
  const entries: T[] = [];
  let bytes = 0;
  let start = after;
  let lastDomain: string | undefined;
  for (;;) {
    const read = await store.audiences.membersPage(audienceId, READ_PAGE, start);
    for (const member of read.members) {
      const { entry, bytes: size } = render(member);
      if (entries.length > 0 && (bytes + size > limits.maxBytes || entries.length >= limits.maxItems))
        return { entries, last: lastDomain };
      entries.push(entry);
      bytes += size;
      lastDomain = member.domain;
    }
    if (!read.last) return { entries };
    start = read.last;
  }
}

/** One page of the full membership, in domain order, after the domain `after`. */
export function membersPage(
  store: Store,
  audienceId: string,
  after: string | undefined,
  limits: { maxBytes: number; maxItems: number },
): Promise<MembersPage<AudienceMember>> {
  return fillPage(store, audienceId, after, limits, (member) => ({ entry: member, bytes: jsonBytes(member) }));
}

/** One page of a CSV export, header row first, in domain order after the domain `after`. */
export async function exportPage(
  store: Store,
  audienceId: string,
  format: ExportFormat,
  after: string | undefined,
  maxBytes: number,
): Promise<{ csv: string; last?: string }> {
  const csv = (rows: string[][]) => stringify(rows, { record_delimiter: 'windows' });
  const header = csv(exportRows([], format));
  const page = await fillPage(
    store,
    audienceId,
    after,
    { maxBytes: maxBytes - escapedBytes(header), maxItems: Number.POSITIVE_INFINITY },
    (member) => {
      const row = csv(exportRows([member], format).slice(1));
      return { entry: row, bytes: escapedBytes(row) };
    },
  );
  return { csv: header + page.entries.join(''), ...(page.last ? { last: page.last } : {}) };
}

export interface AudienceDelta {
  added: AudienceMember[];
  removed: { domain: string; name: string }[];
  /** The log position the answer reaches. */
  seq: number;
  /** The budget cut the answer short: more changes follow from `seq`. */
  more: boolean;
}

/**
 * The net change of an audience from log position `fromSeq` on, as far as fits in `maxBytes`:
 * the log is read in order up to its first gap (a change numbered but not yet written), so a
 * change is never skipped, and nothing is counted twice because the answer is the difference of
 * two states, not a list of events. When the budget cuts it short (`more`), the answer is the
 * net change up to `seq`, and the next page starts there: applied in order, pages give the
 * same membership as one answer would.
 */
export async function audienceDelta(
  store: Store,
  audienceId: string,
  fromSeq: number,
  now: Date,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<AudienceDelta> {
  const run: LogEntry[] = [];
  const byDomain = new Map<string, LogEntry[]>();
  const contribution = new Map<string, number>();
  const views = new Map<string, AudienceMember>();
  const viewOf = (e: LogEntry): AudienceMember =>
    views.get(e.domain) ?? { domain: e.domain, name: e.name, tier: '', stage: '', priority: 0, topics: [] };
  let seq = fromSeq;
  let bytes = 0;
  let more = false;
  reading: for (;;) {
    const entries = await store.audiences.logPage(audienceId, seq, LOG_READ);
    // The current view of each account that may be added, read before its bytes are counted.
    const adds = [...new Set(entries.filter((e) => e.op === 'add' && !views.has(e.domain)).map((e) => e.domain))];
    for (const [domain, state] of await store.audiences.statesIn(audienceId, adds)) views.set(domain, state.view);
    for (const entry of entries) {
      if (entry.seq !== seq + 1) {
        // A gap: a writer numbered a change and has not written it yet. Stop before it; if the
        // change after it is old, the writer died: mark the number abandoned for the next sync.
        if (now.getTime() - Date.parse(entry.at) > ABANDONED_AFTER_MS)
          await store.audiences.fillGap(audienceId, seq + 1, now.toISOString());
        break reading;
      }
      if (entry.op !== 'none') {
        const list = [...(byDomain.get(entry.domain) ?? []), entry];
        const size = bytesOf(list, viewOf(entry));
        const total = bytes - (contribution.get(entry.domain) ?? 0) + size;
        if (run.length > 0 && total > maxBytes) {
          more = true;
          break reading;
        }
        byDomain.set(entry.domain, list);
        contribution.set(entry.domain, size);
        bytes = total;
      }
      run.push(entry);
      seq = entry.seq;
    }
    if (entries.length < LOG_READ) break;
  }
  const { added, removed } = netChanges(ordered(run));
  const names = new Map(run.map((e) => [e.domain, e.name]));
  return {
    added: added.map((d) => views.get(d) ?? viewOf({ domain: d, name: names.get(d) ?? d } as LogEntry)),
    removed: removed.map((d) => ({ domain: d, name: names.get(d) ?? d })),
    seq,
    more,
  };
}

/**
 * Changes of one account are ordered by the definitions and the account version that made them
 * (the order their member item accepted them in), not by when they were numbered.
 */
function ordered(entries: LogEntry[]) {
  return entries
    .filter((e) => e.op !== 'none')
    .sort((a, b) => a.rev - b.rev || a.ver - b.ver || a.seq - b.seq)
    .map((e) => ({ domain: e.domain, op: e.op as 'add' | 'remove' }));
}

/** What one account's changes add to an answer: its view if net added, its name if net removed. */
function bytesOf(changes: LogEntry[], view: AudienceMember): number {
  const { added, removed } = netChanges(ordered(changes));
  if (added.length) return jsonBytes(view);
  if (removed.length) return jsonBytes({ domain: view.domain, name: view.name });
  return 0;
}

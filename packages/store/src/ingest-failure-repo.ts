import { z } from 'zod';
import { defineEntity } from './entity';
import { ingestFailureKey } from './keys';
import type { Table } from './table';

/** Why a record of an ingest batch failed, as the rollup consumer saw it on its last attempt. */
export interface IngestFailure {
  /** The SQS message id of the record. */
  messageId: string;
  /** What failed: the item or step, and the error (`identity links: TimeoutError: ...`). */
  reason: string;
  /** ISO 8601: when it failed last. */
  at: string;
  /** The SQS receive count of that attempt: at the queue's maxReceiveCount, the message went to the DLQ. */
  receiveCount: number;
}

/** The last failure of one ingest message (`INGESTFAIL#<messageId>` / `F`), deleted by TTL. */
export const ingestFailureEntity = defineEntity({
  name: 'ingest failure',
  key: (p: { messageId: string }) => ingestFailureKey(p.messageId),
  attributes: z.object({
    pk: z.string(),
    sk: z.string(),
    messageId: z.string(),
    reason: z.string(),
    at: z.string(),
    receiveCount: z.number(),
    expiresAt: z.number(),
  }),
  indexes: [],
  ttl: 'expiresAt',
});

/** Reasons are cut to this many characters: an item stays a few hundred bytes. */
export const MAX_FAILURE_REASON_CHARS = 300;
/** A failure item lives as long as the ingest DLQ keeps its message (14 days), then DynamoDB deletes it. */
export const INGEST_FAILURE_TTL_DAYS = 14;

/**
 * The last failure of each failed ingest message: one small item per message id, rewritten on
 * each failed attempt (the same key), deleted by TTL. The consumer writes at most a bounded
 * number per batch (see the rollup handler), so a flood of failures costs a bounded number of
 * writes per batch and leaves at most one item per message.
 */
export class IngestFailureRepository {
  constructor(private readonly table: Table) {}

  async record(failures: IngestFailure[]): Promise<void> {
    const items = failures.map((f) => ({
      ...ingestFailureEntity.key(f),
      messageId: f.messageId,
      reason: f.reason.slice(0, MAX_FAILURE_REASON_CHARS),
      at: f.at,
      receiveCount: f.receiveCount,
      expiresAt: Math.floor(Date.parse(f.at) / 1000) + INGEST_FAILURE_TTL_DAYS * 86_400,
    }));
    await this.table.writeMany(items);
  }

  /** The failures recorded for these message ids (those with none are left out), by message id. */
  async byMessageId(messageIds: string[]): Promise<Map<string, IngestFailure>> {
    const items = await this.table.getMany([...new Set(messageIds)].map((messageId) => ingestFailureEntity.key({ messageId })));
    const now = Date.now() / 1000;
    const found = new Map<string, IngestFailure>();
    for (const item of items) {
      const { messageId, reason, at, receiveCount, expiresAt } = ingestFailureEntity.parse(item);
      // dynalite keeps expired items: they are gone in AWS, so here too.
      if (expiresAt < now) continue;
      found.set(messageId, { messageId, reason, at, receiveCount });
    }
    return found;
  }
}

import { type DeliveryStatus, deliveryEventEntity } from './delivery-entity';
import type { DeliveryPage, DeliveryRecord } from './delivery-repo';
import { DELIVERY_EVENT_PREFIX, destinationPk } from './keys';
import { type Item, type Table, toAttr } from './table';

/** Where a Query page stopped, as a position of the destination's partition. */
const lastPosition = (lastKey: Item | undefined) => (typeof lastKey?.sk === 'string' ? lastKey.sk : undefined);

/** Events a listing or a replay reads per Query page: bounds the work of one request. */
const PAGE_READ = 200;

/**
 * A page of the destination's deliveries (by account, then time), only those of `status` when
 * given: at most `limit`, reading at most `PAGE_READ` events; `next` continues where it stopped.
 */
export async function listDeliveries(
  table: Table,
  destinationId: string,
  opts: { status?: DeliveryStatus; after?: string; limit: number },
): Promise<DeliveryPage> {
  const page = await table.queryPage({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
    ...(opts.status ? { FilterExpression: '#status = :s', ExpressionAttributeNames: { '#status': 'status' } } : {}),
    ExpressionAttributeValues: toAttr({
      ':pk': destinationPk(destinationId),
      ':e': DELIVERY_EVENT_PREFIX,
      ...(opts.status ? { ':s': opts.status } : {}),
    }),
    Limit: Math.min(PAGE_READ, opts.status ? PAGE_READ : opts.limit),
    ...(opts.after ? { ExclusiveStartKey: toAttr({ pk: destinationPk(destinationId), sk: opts.after }) } : {}),
  });
  const deliveries = page.items.slice(0, opts.limit).map(recordOf);
  const cut = page.items.length > opts.limit ? deliveries[deliveries.length - 1]?.position : lastPosition(page.lastKey);
  return { deliveries, ...(cut ? { next: cut } : {}) };
}

/**
 * Marks finished events of the destination that happened at or after `from` pending again
 * (attempts start over), reading at most `PAGE_READ` events from `after`, and moves their
 * streams' starts back. Answers the accounts whose streams have events to deliver again, and
 * where the next call continues.
 */
export async function replayDeliveries(
  table: Table,
  destinationId: string,
  from: string,
  after: string | undefined,
  rewind: (domain: string, position: string) => Promise<void>,
) {
  const page = await table.queryPage({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
    FilterExpression: '#at >= :from AND #status <> :pending',
    ExpressionAttributeNames: { '#at': 'at', '#status': 'status' },
    ExpressionAttributeValues: toAttr({
      ':pk': destinationPk(destinationId),
      ':e': DELIVERY_EVENT_PREFIX,
      ':from': from,
      ':pending': 'pending',
    }),
    Limit: PAGE_READ,
    ...(after ? { ExclusiveStartKey: toAttr({ pk: destinationPk(destinationId), sk: after }) } : {}),
  });
  const domains = new Set<string>();
  for (const { position, domain } of page.items.map(recordOf)) {
    await table.updateIf(
      { pk: destinationPk(destinationId), sk: position },
      {
        UpdateExpression: 'SET #status = :pending, attempts = :zero REMOVE nextAttemptAt, firstAttemptAt, lastError, deliveredAt',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: toAttr({ ':pending': 'pending', ':zero': 0 }),
      },
    );
    await rewind(domain, position);
    domains.add(domain);
  }
  return { replayed: page.items.length, domains: [...domains], next: lastPosition(page.lastKey) };
}

/** A stored event item as a delivery record. */
export function recordOf(item: Item): DeliveryRecord {
  const { pk: _pk, sk, eventId, ...record } = deliveryEventEntity.parse(item);
  return { ...record, id: eventId, position: sk };
}

import { type DeliveryStatus, deliveryStreamEntity } from './delivery-entity';
import { listDeliveries, recordOf, replayDeliveries } from './delivery-listing';
import { deliveryEventKey, deliveryStreamKey, deliveryStreamPrefix, destinationPk } from './keys';
import { assignments, type Item, type Table, toAttr } from './table';

/** Where an event stands: waiting (or retrying), delivered, refused by the receiver (4xx), or given up on. */

/** A change recorded for one destination: what is delivered, and the order it is delivered in. */
export interface DeliveryEvent {
  /** The change's id: the same on every attempt and every copy (`webhook-id`). */
  id: string;
  type: string;
  domain: string;
  /** When the change happened (ISO): the stream's order. */
  at: string;
  /** Orders changes of one account at the same `at` (a leave before a join). */
  rank: number;
  data: Record<string, unknown>;
}

/** A recorded event with the state of its delivery. */
export interface DeliveryRecord extends DeliveryEvent {
  destinationId: string;
  status: DeliveryStatus;
  attempts: number;
  recordedAt: string;
  firstAttemptAt?: string;
  /** When the next attempt is due (ISO), while pending. */
  nextAttemptAt?: string;
  /** The last answer's HTTP status, or 0 for a network error or timeout. */
  lastStatus?: number;
  lastError?: string;
  deliveredAt?: string;
  /** Where the record is in its destination (opaque): what `saveAttempt` and listings take. */
  position: string;
}

/** The head of one account's stream in one destination. */
export interface StreamHead {
  /** The first position that may hold an undelivered event (inclusive); absent: the stream's start. */
  from?: string;
  /** The retry wake in flight, if any: its token and when its message is due. */
  wakeToken?: string;
  wakeHopAt?: number;
}

/** What an attempt changes on its event. */
export interface AttemptUpdate {
  status: DeliveryStatus;
  attempts: number;
  firstAttemptAt: string;
  nextAttemptAt?: string;
  lastStatus: number;
  lastError?: string;
  deliveredAt?: string;
}

/** A listing's page: at most `limit` records, and where the next page starts. */
export interface DeliveryPage {
  deliveries: DeliveryRecord[];
  next?: string;
}

/**
 * Deliveries to destinations: per destination and account, an ordered stream of events and a
 * head that one deliverer leases at a time, so the account's order holds however many copies
 * of its queue message arrive. Every write is a single-item (conditional) UpdateItem: the
 * deliver function may update only its destinations' partitions.
 */
export class DeliveryRepository {
  constructor(private readonly table: Table) {}

  /**
   * Records an event for a destination once: a second record of the same event (an outbox
   * sending it again) changes nothing and answers false. An event older than what the stream
   * has delivered moves the stream's start back to it, so it is delivered too.
   */
  async record(destinationId: string, event: DeliveryEvent, recordedAt: string): Promise<boolean> {
    const key = deliveryEventKey(destinationId, event.domain, event.at, event.rank, event.id);
    const recorded = await this.table.updateIf(key, {
      UpdateExpression:
        'SET destinationId = :d, eventId = :id, #type = :type, #domain = :domain, #at = :at, #rank = :rank, #data = :data, #status = :pending, attempts = :zero, recordedAt = :now',
      ConditionExpression: 'attribute_not_exists(pk)',
      ExpressionAttributeNames: {
        '#type': 'type',
        '#domain': 'domain',
        '#at': 'at',
        '#rank': 'rank',
        '#data': 'data',
        '#status': 'status',
      },
      ExpressionAttributeValues: toAttr({
        ':d': destinationId,
        ':id': event.id,
        ':type': event.type,
        ':domain': event.domain,
        ':at': event.at,
        ':rank': event.rank,
        ':data': event.data,
        ':pending': 'pending',
        ':zero': 0,
        ':now': recordedAt,
      }),
    });
    if (recorded) await this.rewind(destinationId, event.domain, key.sk);
    return recorded;
  }

  /** Moves the stream's start back to `position` if it is past it. */
  private async rewind(destinationId: string, domain: string, position: string): Promise<void> {
    await this.table.updateIf(deliveryStreamKey(destinationId, domain), {
      UpdateExpression: 'SET #from = :p',
      ConditionExpression: '#from > :p',
      ExpressionAttributeNames: { '#from': 'from' },
      ExpressionAttributeValues: toAttr({ ':p': position }),
    });
  }

  /** Takes the stream's lease until `untilMs` unless another deliverer holds it; answers the head, or undefined when held. */
  async claimStream(
    destinationId: string,
    domain: string,
    leaseId: string,
    nowMs: number,
    untilMs: number,
  ): Promise<StreamHead | undefined> {
    const claimed = await this.table.tryUpdate(deliveryStreamKey(destinationId, domain), {
      UpdateExpression: 'SET lease = :until, leaseId = :id',
      ConditionExpression: 'attribute_not_exists(lease) OR lease < :now',
      ExpressionAttributeValues: toAttr({ ':until': untilMs, ':id': leaseId, ':now': nowMs }),
      ReturnValues: 'ALL_NEW',
    });
    return claimed && headOf(claimed.attributes ?? {});
  }

  /** The stream's head as stored now. */
  async head(destinationId: string, domain: string): Promise<StreamHead> {
    return headOf((await this.table.get(deliveryStreamKey(destinationId, domain), true)) ?? {});
  }

  /**
   * Gives the lease back (only the holder's lease: one taken over after expiry stays), noting
   * the retry wake in the same write: `wake` sets it, null clears it, undefined leaves it.
   */
  async releaseStream(
    destinationId: string,
    domain: string,
    leaseId: string,
    wake?: { token: string; hopAtMs: number } | null,
  ): Promise<void> {
    const update =
      wake === undefined
        ? 'REMOVE lease, leaseId'
        : wake === null
          ? 'REMOVE lease, leaseId, wakeToken, wakeHopAt'
          : 'SET wakeToken = :t, wakeHopAt = :h REMOVE lease, leaseId';
    await this.table.updateIf(deliveryStreamKey(destinationId, domain), {
      UpdateExpression: update,
      ConditionExpression: 'leaseId = :id',
      ExpressionAttributeValues: toAttr({ ':id': leaseId, ...(wake ? { ':t': wake.token, ':h': wake.hopAtMs } : {}) }),
    });
  }

  /**
   * The stream's first pending event from `from` on, and the position up to which every event is
   * finished (what `advance` moves the start to); undefined event: nothing pending.
   */
  async nextPending(destinationId: string, domain: string, from: string | undefined) {
    const prefix = deliveryStreamPrefix(domain);
    let start: Record<string, unknown> | undefined;
    let finishedTo = from;
    do {
      const page = await this.table.queryPage({
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: toAttr({
          ':pk': destinationPk(destinationId),
          ':lo': from ?? prefix,
          ':hi': `${prefix}\uffff`,
        }),
        ConsistentRead: true,
        Limit: 25,
        ...(start ? { ExclusiveStartKey: toAttr(start) } : {}),
      });
      for (const record of page.items.map(recordOf)) {
        if (record.status === 'pending') return { event: record, finishedTo };
        finishedTo = record.position;
      }
      start = page.lastKey;
    } while (start);
    return { event: undefined, finishedTo };
  }

  /** Moves the stream's start from `from` to `to`, unless a late event moved it back meanwhile (then false). */
  async advance(destinationId: string, domain: string, from: string | undefined, to: string): Promise<boolean> {
    return this.table.updateIf(deliveryStreamKey(destinationId, domain), {
      UpdateExpression: 'SET #from = :to',
      ConditionExpression: from === undefined ? 'attribute_not_exists(#from)' : '#from = :from',
      ExpressionAttributeNames: { '#from': 'from' },
      ExpressionAttributeValues: toAttr({ ':to': to, ...(from === undefined ? {} : { ':from': from }) }),
    });
  }

  /** Saves an attempt's outcome on a pending event. */
  async saveAttempt(destinationId: string, position: string, update: AttemptUpdate): Promise<void> {
    const set = Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined));
    const removed = (['nextAttemptAt', 'lastError', 'deliveredAt'] as const).filter((k) => update[k] === undefined);
    await this.table.updateIf(
      { pk: destinationPk(destinationId), sk: position },
      { ...assignments(set, removed), ConditionExpression: 'attribute_exists(pk)' },
    );
  }

  /** A page of the destination's deliveries (see `listDeliveries`). */
  list(destinationId: string, opts: { status?: DeliveryStatus; after?: string; limit: number }): Promise<DeliveryPage> {
    return listDeliveries(this.table, destinationId, opts);
  }

  /** Makes the destination's events from `from` on pending again (see `replayDeliveries`). */
  replay(destinationId: string, from: string, after: string | undefined) {
    return replayDeliveries(this.table, destinationId, from, after, (domain, position) =>
      this.rewind(destinationId, domain, position),
    );
  }
}

function headOf(item: Item): StreamHead {
  return deliveryStreamEntity.parse(item);
}

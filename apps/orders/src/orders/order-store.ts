import { ORDER_PLACED, type EventEnvelope } from '@flowscope/contracts';
import { isDeepStrictEqual } from 'node:util';
import { JsonKv, NatsClient } from '@flowscope/messaging';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { applyOrderEvent, type OrderRecord } from './order-record';

/** Orders whose record revision this process remembers (a few MB). */
const RECENT_ORDERS = 4096;

/** Orders' state in the KV bucket `orders`, keyed by orderId. */
@Injectable()
export class OrderStore implements OnModuleInit {
  private kv!: JsonKv<OrderRecord>;

  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  async onModuleInit(): Promise<void> {
    // An order's later folds (shipment, notification) mostly follow our own write of it: no read first.
    this.kv = await JsonKv.open(this.nats.js, 'orders', {}, { recentKeys: RECENT_ORDERS });
  }

  async get(orderId: string): Promise<OrderRecord | undefined> {
    return (await this.kv.get(orderId))?.value;
  }

  /** Records an order from its first event unless it has a record already (a write, no read): whether it did. */
  async create(event: EventEnvelope): Promise<boolean> {
    return this.kv.tryCreate(event.data.orderId, applyOrderEvent(undefined, event));
  }

  /**
   * Folds the event into the stored order with optimistic concurrency; returns before and after.
   * An order's first event creates the record without reading it first; an event that changes
   * nothing (a redelivery) writes nothing.
   */
  async apply(event: EventEnvelope): Promise<{ before?: OrderRecord; after: OrderRecord }> {
    let before: OrderRecord | undefined;
    const change = (current: OrderRecord | undefined) => {
      before = current;
      const next = applyOrderEvent(current, event);
      return current && sameOrder(current, next) ? undefined : next;
    };
    const after =
      event.type === ORDER_PLACED
        ? await this.kv.createOrUpdate(event.data.orderId, change)
        : await this.kv.update(event.data.orderId, change);
    return { before, after: after! };
  }
}

/** Equal but for `updatedAt`, which every fold sets. */
function sameOrder(a: OrderRecord, b: OrderRecord): boolean {
  return isDeepStrictEqual({ ...a, updatedAt: '' }, { ...b, updatedAt: '' });
}

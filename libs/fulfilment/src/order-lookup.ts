import type { Fulfilment } from '@flowscope/contracts';
import { JsonKv, NatsClient, RetryLaterError } from '@flowscope/messaging';
import { Module, type DynamicModule } from '@nestjs/common';

/** The fields of the orders service's record (KV bucket `orders`) that the later steps need. */
interface StoredOrder {
  items?: Fulfilment['items'];
  destination?: string;
}

/** The orders service's own bucket: one record per order, written from `order.placed`. */
export const ORDERS_BUCKET = 'orders';

/**
 * The fallback for events published before `payment.authorized` / `stock.reserved` carried the
 * order's fulfilment (items, destination): one read of the orders service's record, no copy kept.
 * New events carry it, so this runs only while older events are still in flight.
 */
export class OrderLookup {
  constructor(private readonly orders: Pick<JsonKv<StoredOrder>, 'get'>) {}

  static async open(nats: NatsClient): Promise<OrderLookup> {
    return new OrderLookup(await JsonKv.open<StoredOrder>(nats.js, ORDERS_BUCKET));
  }

  /** The event's own fulfilment when it carries one; otherwise the orders service's record of it. */
  async fulfilmentOf(orderId: string, carried: Fulfilment | undefined): Promise<Fulfilment> {
    if (carried) return carried;
    const stored = (await this.orders.get(orderId))?.value;
    if (!stored?.items?.length)
      throw new RetryLaterError('ORDER_NOT_YET_KNOWN', `order ${orderId} has not been recorded by orders yet`);
    return { items: stored.items, ...(stored.destination ? { destination: stored.destination } : {}) };
  }
}

/** Gives a service its `OrderLookup`. */
@Module({})
export class OrderLookupModule {
  static forRoot(): DynamicModule {
    return {
      module: OrderLookupModule,
      providers: [
        { provide: OrderLookup, useFactory: (nats: NatsClient) => OrderLookup.open(nats), inject: [NatsClient] },
      ],
      exports: [OrderLookup],
    };
  }
}

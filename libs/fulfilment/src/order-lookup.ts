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
  private orders?: Promise<Pick<JsonKv<StoredOrder>, 'get'>>;

  /** `open` is called on the first fallback only: a service must not need orders' bucket to start. */
  constructor(private readonly open: () => Promise<Pick<JsonKv<StoredOrder>, 'get'>>) {}

  /** Binds to the bucket orders creates (never creates it: the service may not, and need not). */
  static over(nats: NatsClient): OrderLookup {
    return new OrderLookup(() => JsonKv.open<StoredOrder>(nats.js, ORDERS_BUCKET, { bindOnly: true }));
  }

  /** The event's own fulfilment when it carries one; otherwise the orders service's record of it. */
  async fulfilmentOf(orderId: string, carried: Fulfilment | undefined): Promise<Fulfilment> {
    if (carried) return carried;
    this.orders ??= this.open().catch((error: unknown) => {
      this.orders = undefined; // not there yet: the redelivery tries again
      throw new RetryLaterError('ORDER_NOT_YET_KNOWN', `the orders bucket cannot be read yet: ${String(error)}`);
    });
    const stored = (await (await this.orders).get(orderId))?.value;
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
        { provide: OrderLookup, useFactory: (nats: NatsClient) => OrderLookup.over(nats), inject: [NatsClient] },
      ],
      exports: [OrderLookup],
    };
  }
}

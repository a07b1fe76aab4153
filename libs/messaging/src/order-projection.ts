import { ORDER_PLACED, type EventEnvelope, type OrderPlaced, DeliveryCode } from '@flowscope/contracts';
import { Controller, Inject, Module, type DynamicModule } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { JsonKv } from './json-kv';
import { NatsClient } from './nats-client';
import { RetryLaterError } from './redelivery';

/**
 * How long `require` waits for this process to record an order it does not know yet. The next
 * event of an order often arrives while this service's own `order.placed` consumer is still
 * recording it (both are delivered at once); waiting for that beats a redelivery 250 ms later.
 */
export const ORDER_ARRIVAL_WAIT_MS = 150;

/**
 * A service's own copy of the orders it needs to know about (choreography: nobody asks orders),
 * fed by `order.placed` into the KV bucket `<service>-orders`.
 */
export class OrderProjection {
  /** Handlers waiting for an order to be recorded here, by orderId. */
  private readonly waiting = new Map<string, Set<() => void>>();

  private constructor(
    private readonly kv: JsonKv<OrderPlaced>,
    private readonly arrivalWaitMs = ORDER_ARRIVAL_WAIT_MS,
  ) {}

  static async open(nats: NatsClient, service: string, arrivalWaitMs?: number): Promise<OrderProjection> {
    return new OrderProjection(await JsonKv.open(nats.js, `${service}-orders`), arrivalWaitMs);
  }

  async record(event: EventEnvelope<typeof ORDER_PLACED>): Promise<void> {
    await this.kv.update(event.data.orderId, (current) => current ?? event.data);
    for (const wake of this.waiting.get(event.data.orderId) ?? []) wake();
  }

  /**
   * The order. When it is not recorded yet, waits up to `arrivalWaitMs` for this process to record
   * it, then reads once more (another replica may have); still unknown, a RetryLaterError: its
   * `order.placed` may simply not have been consumed yet.
   */
  async require(orderId: string): Promise<OrderPlaced> {
    const known = (await this.kv.get(orderId))?.value;
    if (known) return known; // the usual case: no waiter, no timer
    const arrival = this.arrival(orderId); // then read again: a record between the two reads still wakes us
    try {
      const order = (await this.kv.get(orderId))?.value ?? (await arrival.promise, (await this.kv.get(orderId))?.value);
      if (!order) throw new RetryLaterError(DeliveryCode.ORDER_NOT_YET_KNOWN, `order ${orderId} has not been seen yet`);
      return order;
    } finally {
      arrival.cancel();
    }
  }

  /** Settles when the order is recorded in this process or after `arrivalWaitMs`, whichever comes first. */
  private arrival(orderId: string): { promise: Promise<void>; cancel: () => void } {
    let wake!: () => void;
    const promise = new Promise<void>((resolve) => (wake = resolve));
    const timer = setTimeout(wake, this.arrivalWaitMs);
    const waiters = this.waiting.get(orderId) ?? new Set();
    waiters.add(wake);
    this.waiting.set(orderId, waiters);
    const cancel = () => {
      clearTimeout(timer);
      waiters.delete(wake);
      if (!waiters.size && this.waiting.get(orderId) === waiters) this.waiting.delete(orderId);
    };
    return { promise, cancel };
  }
}

/** Feeds the projection from `order.placed`, in every style. */
@Controller()
class RecordOrderHandler {
  constructor(@Inject(OrderProjection) private readonly orders: OrderProjection) {}

  @EventPattern(ORDER_PLACED, { allStyles: true })
  onOrderPlaced(@Payload() event: EventEnvelope<typeof ORDER_PLACED>): Promise<void> {
    return this.orders.record(event);
  }
}

/** Gives a service its `OrderProjection`, kept up to date by its own `order.placed` consumer. */
@Module({})
export class OrderProjectionModule {
  static forService(service: string): DynamicModule {
    return {
      module: OrderProjectionModule,
      controllers: [RecordOrderHandler],
      providers: [
        {
          provide: OrderProjection,
          useFactory: (nats: NatsClient) => OrderProjection.open(nats, service),
          inject: [NatsClient],
        },
      ],
      exports: [OrderProjection],
    };
  }
}

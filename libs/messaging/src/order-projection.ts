import { ORDER_PLACED, type EventEnvelope, type OrderPlaced } from '@flowscope/contracts';
import { Controller, Inject, Module, type DynamicModule } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { JsonKv } from './json-kv';
import { NatsClient } from './nats-client';
import { RetryLaterError } from './redelivery';

/**
 * A service's own copy of the orders it needs to know about (choreography: nobody asks orders),
 * fed by `order.placed` into the KV bucket `<service>-orders`.
 */
export class OrderProjection {
  private constructor(private readonly kv: JsonKv<OrderPlaced>) {}

  static async open(nats: NatsClient, service: string): Promise<OrderProjection> {
    return new OrderProjection(await JsonKv.open(nats.js, `${service}-orders`));
  }

  async record(event: EventEnvelope<typeof ORDER_PLACED>): Promise<void> {
    await this.kv.update(event.data.orderId, (current) => current ?? event.data);
  }

  /** The order, or a RetryLaterError: its `order.placed` may simply not have been consumed yet. */
  async require(orderId: string): Promise<OrderPlaced> {
    const order = (await this.kv.get(orderId))?.value;
    if (!order) throw new RetryLaterError('ORDER_NOT_YET_KNOWN', `order ${orderId} has not been seen yet`);
    return order;
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
      providers: [{ provide: OrderProjection, useFactory: (nats: NatsClient) => OrderProjection.open(nats, service), inject: [NatsClient] }],
      exports: [OrderProjection],
    };
  }
}

import { ORDER_PLACED, type FlowStyle } from '@flowscope/contracts';
import { EventPublisher } from '@flowscope/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ORDERS_CONFIG, type OrdersConfig } from '../../config';
import { OrderStore } from '../order-store';
import { orderTotal, type PlaceOrderRequest } from './place-order.request';

/** The order id is taken: a retried placement, or a clash. */
export class OrderExistsError extends Error {
  override readonly name = 'OrderExistsError';

  constructor(readonly orderId: string) {
    super(`order ${orderId} was placed already`);
  }
}

/**
 * Places an order: publishes `order.placed` and records it. A choreographed order goes on by events;
 * an orchestrated one is picked up from that event by its saga (so `nats pub` works alike).
 */
@Injectable()
export class PlaceOrder {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(OrderStore) private readonly orders: OrderStore,
    @Inject(ORDERS_CONFIG) private readonly config: OrdersConfig,
  ) {}

  async execute(request: PlaceOrderRequest): Promise<{ orderId: string; style: FlowStyle }> {
    const orderId = request.orderId ?? randomUUID();
    if (await this.orders.get(orderId)) throw new OrderExistsError(orderId);
    const { customerId, items, currency, destination } = request;
    const style = request.style ?? this.config.ORDER_STYLE;
    const data = { orderId, customerId, items, total: orderTotal(items), currency, destination, style };
    // The event first: recorded without it (NATS failing in between), the order would stay placed
    // forever and a retry would be refused as a duplicate. Stored, it reaches our own consumer anyway.
    const event = await this.events.publish(ORDER_PLACED, data);
    await this.orders.apply(event);
    return { orderId, style };
  }
}

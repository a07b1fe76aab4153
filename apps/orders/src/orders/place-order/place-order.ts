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
 * Places an order: publishes `order.placed`, which our own consumer records (as it records one sent
 * with `nats pub`): a choreographed order goes on by events, an orchestrated one is picked up from
 * that event by its saga. An order id seen before is refused: recorded, or (placed a moment ago,
 * not recorded yet) an `order.placed` JetStream holds already under its one id per order.
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
    // Not recorded here: the stored event reaches our own consumer, which records it (one write, where
    // recording it here too cost the consumer a failed create and a read).
    const event = await this.events.publishNew(ORDER_PLACED, data);
    if (!event) throw new OrderExistsError(orderId);
    return { orderId, style };
  }
}

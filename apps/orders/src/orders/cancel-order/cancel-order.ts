import { ORDER_CANCELLED, type EventEnvelope } from '@flowscope/contracts';
import { EventPublisher } from '@flowscope/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { OrderStore } from '../order-store';

/** Records the failed step and, when that cancels the order, publishes `order.cancelled` with why. */
@Injectable()
export class CancelOrder {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(OrderStore) private readonly orders: OrderStore,
  ) {}

  async execute(event: EventEnvelope): Promise<void> {
    const { after } = await this.orders.apply(event);
    if (after.status !== 'cancelled') return;
    const data = { orderId: after.orderId, reason: after.reason, style: after.style };
    await this.events.publish(ORDER_CANCELLED, data, { causedBy: event });
  }
}

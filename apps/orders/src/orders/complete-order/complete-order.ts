import { ORDER_COMPLETED, type EventEnvelope, type SHIPMENT_SCHEDULED } from '@flowscope/contracts';
import { EventPublisher } from '@flowscope/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { OrderStore } from '../order-store';

/**
 * Records the shipment and, when that completes the order, publishes `order.completed`. A redelivered
 * shipment publishes it again under the same event id (one per order), which JetStream deduplicates.
 */
@Injectable()
export class CompleteOrder {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(OrderStore) private readonly orders: OrderStore,
  ) {}

  async execute(event: EventEnvelope<typeof SHIPMENT_SCHEDULED>): Promise<void> {
    const { after } = await this.orders.apply(event);
    if (after.status !== 'completed') return;
    await this.events.publish(ORDER_COMPLETED, { orderId: after.orderId, style: after.style }, { causedBy: event });
  }
}

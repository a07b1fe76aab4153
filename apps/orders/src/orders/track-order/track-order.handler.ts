import {
  CUSTOMER_NOTIFIED,
  ORDER_CANCELLED,
  ORDER_COMPLETED,
  ORDER_PLACED,
  PAYMENT_DECLINED,
  SHIPMENT_FAILED,
  SHIPMENT_SCHEDULED,
  STOCK_UNAVAILABLE,
  type EventEnvelope,
} from '@flowscope/contracts';
import { EventPublisher } from '@flowscope/messaging';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { OrderStore } from '../order-store';
import { SagaRunner } from '../saga/saga-runner';

/**
 * Choreography: orders follows its flow from the events and closes it, completed or cancelled.
 * Orchestration: the SagaRunner drives the order; only its placement and notification arrive here.
 */
@Controller()
export class TrackOrderHandler {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(OrderStore) private readonly orders: OrderStore,
    @Inject(SagaRunner) private readonly sagas: SagaRunner,
  ) {}

  /**
   * Records every order, also those placed straight on NATS (`nats pub order.placed ...`), and hands
   * orchestrated ones to the saga.
   */
  @EventPattern(ORDER_PLACED, { allStyles: true })
  async placed(@Payload() event: EventEnvelope<typeof ORDER_PLACED>): Promise<void> {
    await this.orders.apply(event);
    if (event.data.style === 'orchestration') await this.sagas.begin(event);
  }

  @EventPattern(CUSTOMER_NOTIFIED, { allStyles: true })
  async notified(@Payload() event: EventEnvelope<typeof CUSTOMER_NOTIFIED>): Promise<void> {
    await this.orders.apply(event);
  }

  @EventPattern(SHIPMENT_SCHEDULED)
  async complete(@Payload() event: EventEnvelope<typeof SHIPMENT_SCHEDULED>): Promise<void> {
    const { after } = await this.orders.apply(event);
    if (after.status !== 'completed') return;
    await this.events.publish(ORDER_COMPLETED, { orderId: after.orderId, style: after.style }, { causedBy: event });
  }

  @EventPattern([PAYMENT_DECLINED, STOCK_UNAVAILABLE, SHIPMENT_FAILED])
  async cancel(@Payload() event: EventEnvelope): Promise<void> {
    const { after } = await this.orders.apply(event);
    if (after.status !== 'cancelled') return;
    await this.events.publish(
      ORDER_CANCELLED,
      { orderId: after.orderId, reason: after.reason, style: after.style },
      { causedBy: event },
    );
  }
}

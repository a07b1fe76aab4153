import { SHIPMENT_FAILED, SHIPMENT_SCHEDULED, STOCK_RESERVED, type EventEnvelope } from '@flowscope/contracts';
import { EventPublisher, OrderProjection } from '@flowscope/messaging';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { decideShipment } from './decide-shipment';

/** Choreography: the stock is reserved, so schedule the shipment (or fail it). */
@Controller()
export class ScheduleShipmentHandler {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(OrderProjection) private readonly orders: OrderProjection,
  ) {}

  @EventPattern(STOCK_RESERVED)
  async onStockReserved(@Payload() event: EventEnvelope<typeof STOCK_RESERVED>): Promise<void> {
    const order = await this.orders.require(event.data.orderId);
    const decision = decideShipment(order.orderId, order.destination);
    const base = { orderId: order.orderId, style: order.style };
    if (decision.outcome === 'failed') {
      await this.events.publish(SHIPMENT_FAILED, { ...base, reason: decision.reason }, { causedBy: event });
    } else {
      const { shipmentId, carrier } = decision;
      await this.events.publish(SHIPMENT_SCHEDULED, { ...base, shipmentId, carrier }, { causedBy: event });
    }
  }
}

import { SHIPMENT_FAILED, SHIPMENT_SCHEDULED, type EventEnvelope, type FlowStyle } from '@flowscope/contracts';
import { EventPublisher } from '@flowscope/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { decideShipment, type ShipmentDecision } from './decide-shipment';

/** Schedules an order's shipment (or fails it) and publishes the outcome; the decision is deterministic. */
@Injectable()
export class ScheduleShipment {
  constructor(@Inject(EventPublisher) private readonly events: EventPublisher) {}

  async execute(orderId: string, destination: string | undefined, style: FlowStyle | undefined, causedBy?: EventEnvelope): Promise<ShipmentDecision> {
    const decision = decideShipment(orderId, destination);
    if (decision.outcome === 'failed') {
      await this.events.publish(SHIPMENT_FAILED, { orderId, reason: decision.reason, style }, { causedBy });
    } else {
      const { shipmentId, carrier } = decision;
      await this.events.publish(SHIPMENT_SCHEDULED, { orderId, shipmentId, carrier, style }, { causedBy });
    }
    return decision;
  }
}

import { SHIPMENT_FAILED, SHIPMENT_SCHEDULED, type EventEnvelope, type FlowStyle } from '@flowscope/contracts';
import { FailureInjector } from '@flowscope/fulfilment';
import { EventPublisher } from '@flowscope/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { decideShipment, type ShipmentDecision } from './decide-shipment';

/**
 * Schedules an order's shipment (or fails it) and publishes the outcome. The decision is the same for
 * the same order every time (also a flagged failure, see FailureFlags' seeded roll): nothing is stored.
 */
@Injectable()
export class ScheduleShipment {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(FailureInjector) private readonly failures: FailureInjector,
  ) {}

  async execute(
    orderId: string,
    destination: string | undefined,
    style: FlowStyle | undefined,
    causedBy?: EventEnvelope,
  ): Promise<ShipmentDecision> {
    await this.failures.delay();
    const decision = decideShipment(orderId, destination, () => this.failures.fails('logistics.failureRate', orderId));
    if (this.failures.drops(decision.outcome === 'failed' ? SHIPMENT_FAILED : SHIPMENT_SCHEDULED, orderId))
      return decision;
    if (decision.outcome === 'failed') {
      await this.events.publish(SHIPMENT_FAILED, { orderId, reason: decision.reason, style }, { causedBy });
    } else {
      const { shipmentId, carrier } = decision;
      await this.events.publish(SHIPMENT_SCHEDULED, { orderId, shipmentId, carrier, style }, { causedBy });
    }
    return decision;
  }
}

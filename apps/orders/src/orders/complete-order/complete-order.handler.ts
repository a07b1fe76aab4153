import { SHIPMENT_SCHEDULED, type EventEnvelope } from '@flowscope/contracts';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { CompleteOrder } from './complete-order';

/** Choreography: a scheduled shipment completes the order. */
@Controller()
export class CompleteOrderHandler {
  constructor(@Inject(CompleteOrder) private readonly complete: CompleteOrder) {}

  @EventPattern(SHIPMENT_SCHEDULED)
  async onShipmentScheduled(@Payload() event: EventEnvelope<typeof SHIPMENT_SCHEDULED>): Promise<void> {
    await this.complete.execute(event);
  }
}

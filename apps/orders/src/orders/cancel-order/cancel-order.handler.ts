import { PAYMENT_DECLINED, SHIPMENT_FAILED, STOCK_UNAVAILABLE, type EventEnvelope } from '@flowscope/contracts';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { CancelOrder } from './cancel-order';

/** Choreography: a failed step cancels the order (the other services compensate on their own). */
@Controller()
export class CancelOrderHandler {
  constructor(@Inject(CancelOrder) private readonly cancel: CancelOrder) {}

  @EventPattern([PAYMENT_DECLINED, STOCK_UNAVAILABLE, SHIPMENT_FAILED])
  async onStepFailed(@Payload() event: EventEnvelope): Promise<void> {
    await this.cancel.execute(event);
  }
}

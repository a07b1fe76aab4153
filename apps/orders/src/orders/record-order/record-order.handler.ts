import { CUSTOMER_NOTIFIED, ORDER_PLACED, type EventEnvelope } from '@flowscope/contracts';
import { Controller, Inject } from '@nestjs/common';
import { JetStreamContext } from '@flowscope/messaging';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { RecordOrder } from './record-order';

/**
 * The events the orders service records: every order's placement, whichever style drives it, and a
 * choreographed order's notification (an orchestrated order's is in its saga).
 */
@Controller()
export class RecordOrderHandler {
  constructor(@Inject(RecordOrder) private readonly record: RecordOrder) {}

  /** Every order, also one placed straight on NATS (`nats pub order.placed ...`). */
  @EventPattern(ORDER_PLACED, { allStyles: true })
  async placed(@Payload() event: EventEnvelope<typeof ORDER_PLACED>, @Ctx() ctx: JetStreamContext): Promise<void> {
    await this.record.placed(event, () => ctx.holdAck());
  }

  @EventPattern(CUSTOMER_NOTIFIED)
  async notified(@Payload() event: EventEnvelope<typeof CUSTOMER_NOTIFIED>): Promise<void> {
    await this.record.notified(event);
  }
}

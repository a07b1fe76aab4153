import { CUSTOMER_NOTIFIED, ORDER_CANCELLED, ORDER_COMPLETED, type EventEnvelope } from '@flowscope/contracts';
import { EventPublisher } from '@flowscope/messaging';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

/**
 * Choreography: tell the customer how their order ended. Sending is simulated; what is recorded is
 * the channel and the template, never the customer's contact details.
 */
@Controller()
export class NotifyCustomerHandler {
  constructor(@Inject(EventPublisher) private readonly events: EventPublisher) {}

  @EventPattern(ORDER_COMPLETED)
  onOrderCompleted(@Payload() event: EventEnvelope<typeof ORDER_COMPLETED>): Promise<void> {
    return this.notify(event, 'order-completed');
  }

  @EventPattern(ORDER_CANCELLED)
  onOrderCancelled(@Payload() event: EventEnvelope<typeof ORDER_CANCELLED>): Promise<void> {
    return this.notify(event, 'order-cancelled');
  }

  private async notify(event: EventEnvelope, template: string): Promise<void> {
    const { orderId, style } = event.data;
    await this.events.publish(CUSTOMER_NOTIFIED, { orderId, channel: 'email', template, style }, { causedBy: event });
  }
}

import {
  CMD_CUSTOMER_NOTIFY,
  CUSTOMER_NOTIFIED,
  ORDER_CANCELLED,
  ORDER_COMPLETED,
  type CommandData,
  type CommandReply,
  type EventEnvelope,
  type FlowStyle,
} from '@flowscope/contracts';
import { EventPublisher } from '@flowscope/messaging';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';

/**
 * Tells the customer how their order ended: by reaction in choreography, by command from the saga.
 * Sending is simulated; what is recorded is the channel and the template, never contact details.
 */
@Controller()
export class NotifyCustomerHandler {
  constructor(@Inject(EventPublisher) private readonly events: EventPublisher) {}

  @EventPattern(ORDER_COMPLETED)
  onOrderCompleted(@Payload() event: EventEnvelope<typeof ORDER_COMPLETED>): Promise<void> {
    return this.notify(event.data.orderId, 'order-completed', event.data.style, event);
  }

  @EventPattern(ORDER_CANCELLED)
  onOrderCancelled(@Payload() event: EventEnvelope<typeof ORDER_CANCELLED>): Promise<void> {
    return this.notify(event.data.orderId, 'order-cancelled', event.data.style, event);
  }

  @MessagePattern(CMD_CUSTOMER_NOTIFY)
  async onNotify(@Payload() command: CommandData<typeof CMD_CUSTOMER_NOTIFY>): Promise<CommandReply> {
    await this.notify(command.orderId, command.template, command.style ?? 'orchestration');
    return { ok: true, channel: 'email', template: command.template };
  }

  private async notify(orderId: string, template: string, style: FlowStyle | undefined, causedBy?: EventEnvelope): Promise<void> {
    await this.events.publish(CUSTOMER_NOTIFIED, { orderId, channel: 'email', template, style }, { causedBy });
  }
}

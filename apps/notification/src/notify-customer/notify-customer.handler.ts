import {
  CMD_CUSTOMER_NOTIFY,
  ORDER_CANCELLED,
  ORDER_COMPLETED,
  type CommandData,
  type CommandReply,
  type EventEnvelope,
} from '@flowscope/contracts';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { NotifyCustomer } from './notify-customer';

/**
 * Tells the customer how their order ended: by reaction in choreography, by command from the saga.
 * Sending is simulated; what is recorded is the channel and the template, never contact details.
 */
@Controller()
export class NotifyCustomerHandler {
  constructor(@Inject(NotifyCustomer) private readonly notify: NotifyCustomer) {}

  @EventPattern(ORDER_COMPLETED)
  async onOrderCompleted(@Payload() event: EventEnvelope<typeof ORDER_COMPLETED>): Promise<void> {
    await this.notify.execute(event.data.orderId, 'order-completed', event.data.style, event);
  }

  @EventPattern(ORDER_CANCELLED)
  async onOrderCancelled(@Payload() event: EventEnvelope<typeof ORDER_CANCELLED>): Promise<void> {
    await this.notify.execute(event.data.orderId, 'order-cancelled', event.data.style, event);
  }

  @MessagePattern(CMD_CUSTOMER_NOTIFY)
  async onNotify(@Payload() command: CommandData<typeof CMD_CUSTOMER_NOTIFY>): Promise<CommandReply> {
    return {
      ok: true,
      ...(await this.notify.execute(command.orderId, command.template, command.style ?? 'orchestration')),
    };
  }
}

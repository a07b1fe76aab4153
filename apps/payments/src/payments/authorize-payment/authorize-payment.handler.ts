import {
  CMD_PAYMENT_AUTHORIZE,
  ORDER_PLACED,
  type CommandData,
  type CommandReply,
  type EventEnvelope,
  ReplyCode,
} from '@flowscope/contracts';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { AuthorizePayment } from './authorize-payment';

/** Entry points of the payment authorization: the choreography's event and the saga's command. */
@Controller()
export class AuthorizePaymentHandler {
  constructor(@Inject(AuthorizePayment) private readonly authorize: AuthorizePayment) {}

  @EventPattern(ORDER_PLACED)
  async onOrderPlaced(@Payload() event: EventEnvelope<typeof ORDER_PLACED>): Promise<void> {
    const { orderId, customerId, total, currency, style, items, destination } = event.data;
    // What seller and logistics need travels on with payment.authorized: they keep no copy of orders.
    const fulfilment = { items, ...(destination ? { destination } : {}) };
    await this.authorize.execute({ orderId, customerId, amount: total, currency, style, fulfilment }, event);
  }

  @MessagePattern(CMD_PAYMENT_AUTHORIZE)
  async onAuthorize(@Payload() command: CommandData<typeof CMD_PAYMENT_AUTHORIZE>): Promise<CommandReply> {
    const record = await this.authorize.execute({ ...command, style: command.style ?? 'orchestration' });
    if (record.status === 'declined') {
      return {
        ok: false,
        code: ReplyCode.PAYMENT_DECLINED,
        message: record.reason ?? 'payment declined',
        retryable: false,
      };
    }
    if (record.status === 'voided') {
      return {
        ok: false,
        code: ReplyCode.PAYMENT_VOIDED,
        message: `the order's payment was voided: ${record.reason ?? 'order cancelled'}`,
        retryable: false,
      };
    }
    return { ok: true, paymentId: record.paymentId, amount: record.amount, status: record.status };
  }
}

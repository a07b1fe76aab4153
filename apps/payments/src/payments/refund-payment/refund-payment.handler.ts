import {
  CMD_PAYMENT_REFUND,
  SHIPMENT_FAILED,
  STOCK_UNAVAILABLE,
  type CommandData,
  type CommandReply,
  type EventEnvelope,
} from '@flowscope/contracts';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { RefundPayment } from './refund-payment';

/** Entry points of the refund: by reaction in choreography, by command from the saga. */
@Controller()
export class RefundPaymentHandler {
  constructor(@Inject(RefundPayment) private readonly refund: RefundPayment) {}

  @EventPattern(STOCK_UNAVAILABLE)
  async onStockUnavailable(@Payload() event: EventEnvelope<typeof STOCK_UNAVAILABLE>): Promise<void> {
    await this.refund.execute(event.data.orderId, 'stock unavailable', event.data.style, { causedBy: event });
  }

  @EventPattern(SHIPMENT_FAILED)
  async onShipmentFailed(@Payload() event: EventEnvelope<typeof SHIPMENT_FAILED>): Promise<void> {
    await this.refund.execute(event.data.orderId, 'shipment failed', event.data.style, { causedBy: event });
  }

  @MessagePattern(CMD_PAYMENT_REFUND)
  async onRefund(@Payload() command: CommandData<typeof CMD_PAYMENT_REFUND>): Promise<CommandReply> {
    const { orderId, reason, style } = command;
    return {
      ok: true,
      ...(await this.refund.execute(orderId, reason ?? 'order cancelled', style ?? 'orchestration', {
        voidUnknown: true,
      })),
    };
  }
}

import {
  CMD_STOCK_RESERVE,
  PAYMENT_AUTHORIZED,
  type CommandData,
  type CommandReply,
  type EventEnvelope,
  ReplyCode,
} from '@flowscope/contracts';
import { OrderLookup } from '@flowscope/fulfilment';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { ReserveStock } from './reserve-stock';

/** Entry points of the reservation: after the payment in choreography, by command from the saga. */
@Controller()
export class ReserveStockHandler {
  constructor(
    @Inject(ReserveStock) private readonly reserve: ReserveStock,
    @Inject(OrderLookup) private readonly orders: OrderLookup,
  ) {}

  @EventPattern(PAYMENT_AUTHORIZED)
  async onPaymentAuthorized(@Payload() event: EventEnvelope<typeof PAYMENT_AUTHORIZED>): Promise<void> {
    const { orderId, style, fulfilment } = event.data;
    await this.reserve.execute(orderId, await this.orders.fulfilmentOf(orderId, fulfilment), style, event);
  }

  @MessagePattern(CMD_STOCK_RESERVE)
  async onReserve(@Payload() command: CommandData<typeof CMD_STOCK_RESERVE>): Promise<CommandReply> {
    const { orderId, items, style } = command;
    const reservation = await this.reserve.execute(orderId, { items }, style ?? 'orchestration');
    if (reservation.status === 'unavailable') {
      return {
        ok: false,
        code: ReplyCode.STOCK_UNAVAILABLE,
        message: reservation.reason ?? 'out of stock',
        retryable: false,
      };
    }
    if (reservation.status === 'voided') {
      return {
        ok: false,
        code: ReplyCode.STOCK_VOIDED,
        message: `the order's reservation was voided: ${reservation.reason ?? 'order cancelled'}`,
        retryable: false,
      };
    }
    return { ok: true, reservationId: reservation.reservationId, status: reservation.status };
  }
}

import {
  CMD_STOCK_RESERVE,
  PAYMENT_AUTHORIZED,
  type CommandData,
  type CommandReply,
  type EventEnvelope,
  ReplyCode,
} from '@flowscope/contracts';
import { OrderProjection } from '@flowscope/messaging';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { ReserveStock } from './reserve-stock';

/** Entry points of the reservation: after the payment in choreography, by command from the saga. */
@Controller()
export class ReserveStockHandler {
  constructor(
    @Inject(ReserveStock) private readonly reserve: ReserveStock,
    @Inject(OrderProjection) private readonly orders: OrderProjection,
  ) {}

  @EventPattern(PAYMENT_AUTHORIZED)
  async onPaymentAuthorized(@Payload() event: EventEnvelope<typeof PAYMENT_AUTHORIZED>): Promise<void> {
    const order = await this.orders.require(event.data.orderId);
    await this.reserve.execute(order.orderId, order.items, order.style, event);
  }

  @MessagePattern(CMD_STOCK_RESERVE)
  async onReserve(@Payload() command: CommandData<typeof CMD_STOCK_RESERVE>): Promise<CommandReply> {
    const reservation = await this.reserve.execute(command.orderId, command.items, command.style ?? 'orchestration');
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

import {
  CMD_SHIPMENT_SCHEDULE,
  STOCK_RESERVED,
  type CommandData,
  type CommandReply,
  type EventEnvelope,
  ReplyCode,
} from '@flowscope/contracts';
import { OrderLookup } from '@flowscope/fulfilment';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { ScheduleShipment } from './schedule-shipment';

/** Entry points of shipping: after the reservation in choreography, by command from the saga. */
@Controller()
export class ScheduleShipmentHandler {
  constructor(
    @Inject(ScheduleShipment) private readonly schedule: ScheduleShipment,
    @Inject(OrderLookup) private readonly orders: OrderLookup,
  ) {}

  @EventPattern(STOCK_RESERVED)
  async onStockReserved(@Payload() event: EventEnvelope<typeof STOCK_RESERVED>): Promise<void> {
    const { orderId, style, fulfilment } = event.data;
    const { destination } = await this.orders.fulfilmentOf(orderId, fulfilment);
    await this.schedule.execute(orderId, destination, style, event);
  }

  @MessagePattern(CMD_SHIPMENT_SCHEDULE)
  async onSchedule(@Payload() command: CommandData<typeof CMD_SHIPMENT_SCHEDULE>): Promise<CommandReply> {
    const decision = await this.schedule.execute(
      command.orderId,
      command.destination,
      command.style ?? 'orchestration',
    );
    if (decision.outcome === 'failed')
      return { ok: false, code: ReplyCode.SHIPMENT_FAILED, message: decision.reason, retryable: false };
    return { ok: true, shipmentId: decision.shipmentId, carrier: decision.carrier };
  }
}

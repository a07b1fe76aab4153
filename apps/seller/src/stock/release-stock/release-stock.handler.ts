import {
  CMD_STOCK_RELEASE,
  SHIPMENT_FAILED,
  type CommandData,
  type CommandReply,
  type EventEnvelope,
} from '@flowscope/contracts';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { ReleaseStock } from './release-stock';

/** Entry points of the release: by reaction in choreography, by command from the saga. */
@Controller()
export class ReleaseStockHandler {
  constructor(@Inject(ReleaseStock) private readonly release: ReleaseStock) {}

  @EventPattern(SHIPMENT_FAILED)
  async onShipmentFailed(@Payload() event: EventEnvelope<typeof SHIPMENT_FAILED>): Promise<void> {
    await this.release.execute(event.data.orderId, 'shipment failed', event.data.style, { causedBy: event });
  }

  @MessagePattern(CMD_STOCK_RELEASE)
  async onRelease(@Payload() command: CommandData<typeof CMD_STOCK_RELEASE>): Promise<CommandReply> {
    const { orderId, reason, style } = command;
    return {
      ok: true,
      ...(await this.release.execute(orderId, reason ?? 'order cancelled', style ?? 'orchestration', {
        voidUnknown: true,
      })),
    };
  }
}

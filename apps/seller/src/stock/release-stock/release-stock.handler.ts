import { SHIPMENT_FAILED, STOCK_RELEASED, type EventEnvelope } from '@flowscope/contracts';
import { EventPublisher } from '@flowscope/messaging';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ReservationBook } from '../reservation-book';

/** Choreography's compensation: the order cannot ship, so give its stock back. */
@Controller()
export class ReleaseStockHandler {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(ReservationBook) private readonly reservations: ReservationBook,
  ) {}

  @EventPattern(SHIPMENT_FAILED)
  async onShipmentFailed(@Payload() event: EventEnvelope<typeof SHIPMENT_FAILED>): Promise<void> {
    const { orderId, style } = event.data;
    const reservation = await this.reservations.get(orderId);
    if (reservation?.status !== 'reserved' && reservation?.status !== 'released') return;
    await this.reservations.markReleased(orderId);
    await this.events.publish(
      STOCK_RELEASED,
      { orderId, reservationId: reservation.reservationId, reason: 'shipment failed', style },
      { causedBy: event },
    );
  }
}

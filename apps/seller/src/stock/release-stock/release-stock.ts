import { STOCK_RELEASED, type EventEnvelope, type FlowStyle } from '@flowscope/contracts';
import { EventPublisher } from '@flowscope/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { ReservationBook } from '../reservation-book';

/** Gives reserved stock back (a compensation); an order without a reservation has nothing to release. */
@Injectable()
export class ReleaseStock {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(ReservationBook) private readonly reservations: ReservationBook,
  ) {}

  async execute(orderId: string, reason: string, style: FlowStyle | undefined, causedBy?: EventEnvelope): Promise<{ released: boolean }> {
    const reservation = await this.reservations.get(orderId);
    if (reservation?.status !== 'reserved' && reservation?.status !== 'released') return { released: false };
    await this.reservations.markReleased(orderId);
    await this.events.publish(STOCK_RELEASED, { orderId, reservationId: reservation.reservationId, reason, style }, { causedBy });
    return { released: true };
  }
}

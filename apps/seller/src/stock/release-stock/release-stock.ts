import { STOCK_RELEASED, type EventEnvelope, type FlowStyle } from '@flowscope/contracts';
import { EventPublisher, FailureInjector } from '@flowscope/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { ReservationBook } from '../reservation-book';

/** Gives reserved stock back (a compensation); an order without a reservation has nothing to release. */
@Injectable()
export class ReleaseStock {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(ReservationBook) private readonly reservations: ReservationBook,
    @Inject(FailureInjector) private readonly failures: FailureInjector,
  ) {}

  async execute(orderId: string, reason: string, style: FlowStyle | undefined, causedBy?: EventEnvelope): Promise<{ released: boolean }> {
    await this.failures.delay();
    const reservation = await this.reservations.get(orderId);
    if (reservation?.status !== 'reserved' && reservation?.status !== 'released') return { released: false };
    await this.reservations.markReleased(orderId);
    if (this.failures.drops(STOCK_RELEASED, orderId)) return { released: true };
    await this.events.publish(STOCK_RELEASED, { orderId, reservationId: reservation.reservationId, reason, style }, { causedBy });
    return { released: true };
  }
}

import { STOCK_RELEASED, type EventEnvelope, type FlowStyle } from '@flowscope/contracts';
import { FailureInjector } from '@flowscope/fulfilment';
import { EventPublisher } from '@flowscope/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { ReservationBook } from '../reservation-book';

/**
 * Gives reserved stock back (a compensation); an unavailable one has nothing to release. With
 * `voidUnknown` (the saga's command) an order not seen yet is voided, so that a late reserve of it
 * (the step the saga gave up on, still in flight) is refused rather than held.
 */
@Injectable()
export class ReleaseStock {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(ReservationBook) private readonly reservations: ReservationBook,
    @Inject(FailureInjector) private readonly failures: FailureInjector,
  ) {}

  async execute(
    orderId: string,
    reason: string,
    style: FlowStyle | undefined,
    options: { causedBy?: EventEnvelope; voidUnknown?: boolean } = {},
  ): Promise<{ released: boolean; voided?: boolean }> {
    const { causedBy, voidUnknown } = options;
    await this.failures.delay();
    let reservation = await this.reservations.get(orderId);
    if (!reservation && voidUnknown) {
      reservation = await this.reservations.voidIfAbsent(orderId, reason);
      if (reservation.status === 'voided') return { released: false, voided: true };
    }
    if (reservation?.status !== 'reserved' && reservation?.status !== 'released') return { released: false };
    await this.reservations.markReleased(orderId);
    if (this.failures.drops(STOCK_RELEASED, orderId)) return { released: true };
    await this.events.publish(
      STOCK_RELEASED,
      { orderId, reservationId: reservation.reservationId, reason, style },
      { causedBy },
    );
    return { released: true };
  }
}

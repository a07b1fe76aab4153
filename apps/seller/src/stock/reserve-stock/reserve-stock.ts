import {
  STOCK_RESERVED,
  STOCK_UNAVAILABLE,
  type EventEnvelope,
  type FlowStyle,
  type Fulfilment,
} from '@flowscope/contracts';
import { FailureInjector } from '@flowscope/fulfilment';
import { EventPublisher } from '@flowscope/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { ReservationBook, type Reservation } from '../reservation-book';
import { decideReservation } from './decide-reservation';

/**
 * Reserves an order's stock (or finds it unavailable) and publishes the outcome; the first outcome is
 * kept. A reservation released or voided since no longer holds stock: nothing is published again.
 */
@Injectable()
export class ReserveStock {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(ReservationBook) private readonly reservations: ReservationBook,
    @Inject(FailureInjector) private readonly failures: FailureInjector,
  ) {}

  async execute(
    orderId: string,
    fulfilment: Fulfilment,
    style: FlowStyle | undefined,
    causedBy?: EventEnvelope,
  ): Promise<Reservation> {
    await this.failures.delay();
    const decision = decideReservation(orderId, fulfilment.items, () =>
      this.failures.fails('seller.outOfStockRate', orderId),
    );
    const reservation = await this.reservations.recordOnce({
      orderId,
      reservationId: `res-${orderId}`,
      ...(decision.outcome === 'reserved'
        ? { status: 'reserved' }
        : { status: 'unavailable', sku: decision.sku, reason: decision.reason }),
    });
    if (reservation.status === 'released' || reservation.status === 'voided') return reservation;
    if (this.failures.drops(reservation.status === 'unavailable' ? STOCK_UNAVAILABLE : STOCK_RESERVED, orderId))
      return reservation;
    if (reservation.status === 'unavailable') {
      await this.events.publish(
        STOCK_UNAVAILABLE,
        { orderId, sku: reservation.sku, reason: reservation.reason, style },
        { causedBy },
      );
    } else {
      await this.events.publish(
        STOCK_RESERVED,
        // logistics needs the destination: it travels on instead of being kept by logistics
        { orderId, reservationId: reservation.reservationId, style, fulfilment },
        { causedBy },
      );
    }
    return reservation;
  }
}

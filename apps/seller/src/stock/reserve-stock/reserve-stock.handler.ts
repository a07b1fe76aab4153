import { PAYMENT_AUTHORIZED, STOCK_RESERVED, STOCK_UNAVAILABLE, type EventEnvelope } from '@flowscope/contracts';
import { EventPublisher, OrderProjection } from '@flowscope/messaging';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ReservationBook } from '../reservation-book';
import { decideReservation } from './decide-reservation';

/** Choreography: the payment is authorized, so reserve the order's stock. */
@Controller()
export class ReserveStockHandler {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(OrderProjection) private readonly orders: OrderProjection,
    @Inject(ReservationBook) private readonly reservations: ReservationBook,
  ) {}

  @EventPattern(PAYMENT_AUTHORIZED)
  async onPaymentAuthorized(@Payload() event: EventEnvelope<typeof PAYMENT_AUTHORIZED>): Promise<void> {
    const order = await this.orders.require(event.data.orderId);
    const decision = decideReservation(order.orderId, order.items);
    const reservation = await this.reservations.recordOnce({
      orderId: order.orderId,
      reservationId: `res-${order.orderId}`,
      ...(decision.outcome === 'reserved'
        ? { status: 'reserved' }
        : { status: 'unavailable', sku: decision.sku, reason: decision.reason }),
    });
    const base = { orderId: order.orderId, style: order.style };
    if (reservation.status === 'unavailable') {
      await this.events.publish(STOCK_UNAVAILABLE, { ...base, sku: reservation.sku, reason: reservation.reason }, { causedBy: event });
    } else {
      await this.events.publish(STOCK_RESERVED, { ...base, reservationId: reservation.reservationId }, { causedBy: event });
    }
  }
}

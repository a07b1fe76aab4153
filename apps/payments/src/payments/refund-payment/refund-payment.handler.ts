import { PAYMENT_REFUNDED, SHIPMENT_FAILED, STOCK_UNAVAILABLE, type EventEnvelope } from '@flowscope/contracts';
import { EventPublisher } from '@flowscope/messaging';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PaymentLedger } from '../payment-ledger';

/** Choreography's compensation: the order cannot be fulfilled after payment, so refund it. */
@Controller()
export class RefundPaymentHandler {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(PaymentLedger) private readonly ledger: PaymentLedger,
  ) {}

  @EventPattern(STOCK_UNAVAILABLE)
  onStockUnavailable(@Payload() event: EventEnvelope<typeof STOCK_UNAVAILABLE>): Promise<void> {
    return this.refund(event, 'stock unavailable');
  }

  @EventPattern(SHIPMENT_FAILED)
  onShipmentFailed(@Payload() event: EventEnvelope<typeof SHIPMENT_FAILED>): Promise<void> {
    return this.refund(event, 'shipment failed');
  }

  private async refund(event: EventEnvelope, reason: string): Promise<void> {
    const { orderId } = event.data;
    const payment = await this.ledger.get(orderId);
    // Refund only what was authorized: a declined or unknown payment has nothing to give back.
    if (payment?.status !== 'authorized' && payment?.status !== 'refunded') return;
    await this.ledger.markRefunded(orderId);
    await this.events.publish(
      PAYMENT_REFUNDED,
      { orderId, paymentId: payment.paymentId, amount: payment.amount, reason, style: event.data.style },
      { causedBy: event },
    );
  }
}

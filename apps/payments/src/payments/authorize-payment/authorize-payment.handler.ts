import { ORDER_PLACED, PAYMENT_AUTHORIZED, PAYMENT_DECLINED, type EventEnvelope } from '@flowscope/contracts';
import { EventPublisher } from '@flowscope/messaging';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PaymentLedger } from '../payment-ledger';
import { decidePayment } from './decide-payment';

/** Choreography: an order was placed, so authorize or decline its payment. */
@Controller()
export class AuthorizePaymentHandler {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(PaymentLedger) private readonly ledger: PaymentLedger,
  ) {}

  @EventPattern(ORDER_PLACED)
  async onOrderPlaced(@Payload() event: EventEnvelope<typeof ORDER_PLACED>): Promise<void> {
    const order = event.data;
    const decision = decidePayment(order);
    const record = await this.ledger.recordOnce({
      orderId: order.orderId,
      paymentId: decision.outcome === 'authorized' ? decision.paymentId : `pay-${order.orderId}`,
      amount: order.total,
      currency: order.currency,
      status: decision.outcome,
      ...(decision.outcome === 'declined' ? { reason: decision.reason } : {}),
    });
    const base = { orderId: order.orderId, paymentId: record.paymentId, amount: record.amount, style: order.style };
    if (record.status === 'declined') {
      await this.events.publish(PAYMENT_DECLINED, { ...base, reason: record.reason }, { causedBy: event });
    } else {
      await this.events.publish(PAYMENT_AUTHORIZED, base, { causedBy: event });
    }
  }
}

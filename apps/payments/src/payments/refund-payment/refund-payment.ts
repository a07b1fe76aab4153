import { PAYMENT_REFUNDED, type EventEnvelope, type FlowStyle } from '@flowscope/contracts';
import { EventPublisher } from '@flowscope/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { PaymentLedger } from '../payment-ledger';

/** Gives an authorized payment back (a compensation); a declined or unknown one has nothing to refund. */
@Injectable()
export class RefundPayment {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(PaymentLedger) private readonly ledger: PaymentLedger,
  ) {}

  async execute(orderId: string, reason: string, style: FlowStyle | undefined, causedBy?: EventEnvelope): Promise<{ refunded: boolean }> {
    const payment = await this.ledger.get(orderId);
    if (payment?.status !== 'authorized' && payment?.status !== 'refunded') return { refunded: false };
    await this.ledger.markRefunded(orderId);
    const data = { orderId, paymentId: payment.paymentId, amount: payment.amount, reason, style };
    await this.events.publish(PAYMENT_REFUNDED, data, { causedBy });
    return { refunded: true };
  }
}

import { PAYMENT_REFUNDED, type EventEnvelope, type FlowStyle } from '@flowscope/contracts';
import { EventPublisher, FailureInjector } from '@flowscope/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { PaymentLedger } from '../payment-ledger';

/** Gives an authorized payment back (a compensation); a declined or unknown one has nothing to refund. */
@Injectable()
export class RefundPayment {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(PaymentLedger) private readonly ledger: PaymentLedger,
    @Inject(FailureInjector) private readonly failures: FailureInjector,
  ) {}

  async execute(orderId: string, reason: string, style: FlowStyle | undefined, causedBy?: EventEnvelope): Promise<{ refunded: boolean }> {
    await this.failures.delay();
    const payment = await this.ledger.get(orderId);
    if (payment?.status !== 'authorized' && payment?.status !== 'refunded') return { refunded: false };
    await this.ledger.markRefunded(orderId);
    const data = { orderId, paymentId: payment.paymentId, amount: payment.amount, reason, style };
    if (!this.failures.drops(PAYMENT_REFUNDED, orderId)) await this.events.publish(PAYMENT_REFUNDED, data, { causedBy });
    return { refunded: true };
  }
}

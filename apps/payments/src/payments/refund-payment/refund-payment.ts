import { PAYMENT_REFUNDED, type EventEnvelope, type FlowStyle } from '@flowscope/contracts';
import { FailureInjector } from '@flowscope/fulfilment';
import { EventPublisher } from '@flowscope/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { PaymentLedger } from '../payment-ledger';

/**
 * Gives an authorized payment back (a compensation); a declined one has nothing to refund. With
 * `voidUnknown` (the saga's command) an order not seen yet is voided, so that a late authorize of it
 * (the step the saga gave up on, still in flight) is refused rather than charged.
 */
@Injectable()
export class RefundPayment {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(PaymentLedger) private readonly ledger: PaymentLedger,
    @Inject(FailureInjector) private readonly failures: FailureInjector,
  ) {}

  async execute(
    orderId: string,
    reason: string,
    style: FlowStyle | undefined,
    options: { causedBy?: EventEnvelope; voidUnknown?: boolean } = {},
  ): Promise<{ refunded: boolean; voided?: boolean }> {
    const { causedBy, voidUnknown } = options;
    await this.failures.delay();
    let payment = await this.ledger.get(orderId);
    if (!payment && voidUnknown) {
      payment = await this.ledger.voidIfAbsent(orderId, reason);
      if (payment.status === 'voided') return { refunded: false, voided: true };
    }
    if (payment?.status !== 'authorized' && payment?.status !== 'refunded') return { refunded: false };
    await this.ledger.markRefunded(orderId);
    const data = { orderId, paymentId: payment.paymentId, amount: payment.amount, reason, style };
    if (!this.failures.drops(PAYMENT_REFUNDED, orderId))
      await this.events.publish(PAYMENT_REFUNDED, data, { causedBy });
    return { refunded: true };
  }
}

import {
  PAYMENT_AUTHORIZED,
  PAYMENT_DECLINED,
  type EventEnvelope,
  type FlowStyle,
  type Fulfilment,
} from '@flowscope/contracts';
import { FailureInjector } from '@flowscope/fulfilment';
import { EventPublisher } from '@flowscope/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { PaymentLedger, type PaymentRecord } from '../payment-ledger';
import { decidePayment } from './decide-payment';

export interface AuthorizePaymentInput {
  orderId: string;
  customerId: string;
  amount: number;
  currency: string;
  style?: FlowStyle;
  /** The order's items and destination, carried on by `payment.authorized` (choreography). */
  fulfilment?: Fulfilment;
}

/**
 * Authorizes or declines an order's payment and publishes the outcome, in either style. The first
 * outcome for an order is kept: a redelivered event or a retried command gets it back unchanged. A
 * payment refunded or voided since is no longer authorized: nothing is published again.
 */
@Injectable()
export class AuthorizePayment {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(PaymentLedger) private readonly ledger: PaymentLedger,
    @Inject(FailureInjector) private readonly failures: FailureInjector,
  ) {}

  async execute(input: AuthorizePaymentInput, causedBy?: EventEnvelope): Promise<PaymentRecord> {
    await this.failures.delay();
    const decision = decidePayment(input, () => this.failures.fails('payment.declineRate', input.orderId));
    const record = await this.ledger.recordOnce({
      orderId: input.orderId,
      paymentId: `pay-${input.orderId}`,
      amount: input.amount,
      currency: input.currency,
      status: decision.outcome,
      ...(decision.outcome === 'declined' ? { reason: decision.reason } : {}),
    });
    if (record.status === 'refunded' || record.status === 'voided') return record;
    const data = { orderId: record.orderId, paymentId: record.paymentId, amount: record.amount, style: input.style };
    if (this.failures.drops(record.status === 'declined' ? PAYMENT_DECLINED : PAYMENT_AUTHORIZED, record.orderId))
      return record;
    if (record.status === 'declined') {
      await this.events.publish(PAYMENT_DECLINED, { ...data, reason: record.reason }, { causedBy });
    } else {
      const carried = input.fulfilment ? { fulfilment: input.fulfilment } : {};
      await this.events.publish(PAYMENT_AUTHORIZED, { ...data, ...carried }, { causedBy });
    }
    return record;
  }
}

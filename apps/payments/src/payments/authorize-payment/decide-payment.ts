/** Customers whose id starts with this are declined: lets a test or a user ask for a decline. */
export const DECLINED_CUSTOMER_PREFIX = 'decline';
/** Above this total (in the order's currency) a payment is declined as over the limit. */
export const PAYMENT_LIMIT = 10_000;

export type PaymentDecision =
  { outcome: 'authorized'; paymentId: string; amount: number } | { outcome: 'declined'; reason: string };

/** Why a payment the failure flag `payment.declineRate` declined was declined. */
export const FLAGGED_DECLINE_REASON = 'card declined by issuer (failure flag payment.declineRate)';

/**
 * Deterministic: the same order always gets the same decision, in both styles. `flaggedDecline` is
 * asked only when the rules would authorize: whether the failure flag declines this order instead.
 */
export function decidePayment(
  order: { orderId: string; customerId: string; amount: number },
  flaggedDecline: () => boolean = () => false,
): PaymentDecision {
  if (order.customerId.startsWith(DECLINED_CUSTOMER_PREFIX)) {
    return { outcome: 'declined', reason: 'card declined by issuer' };
  }
  if (order.amount > PAYMENT_LIMIT) {
    return { outcome: 'declined', reason: `amount over the limit of ${PAYMENT_LIMIT}` };
  }
  if (flaggedDecline()) return { outcome: 'declined', reason: FLAGGED_DECLINE_REASON };
  return { outcome: 'authorized', paymentId: `pay-${order.orderId}`, amount: order.amount };
}

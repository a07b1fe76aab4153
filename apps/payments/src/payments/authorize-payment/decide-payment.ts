
/** Customers whose id starts with this are declined: lets a test or a user ask for a decline. */
export const DECLINED_CUSTOMER_PREFIX = 'decline';
/** Above this total (in the order's currency) a payment is declined as over the limit. */
export const PAYMENT_LIMIT = 10_000;

export type PaymentDecision =
  | { outcome: 'authorized'; paymentId: string; amount: number }
  | { outcome: 'declined'; reason: string };

/** Deterministic: the same order always gets the same decision, in both styles. */
export function decidePayment(order: { orderId: string; customerId: string; amount: number }): PaymentDecision {
  if (order.customerId.startsWith(DECLINED_CUSTOMER_PREFIX)) {
    return { outcome: 'declined', reason: 'card declined by issuer' };
  }
  if (order.amount > PAYMENT_LIMIT) {
    return { outcome: 'declined', reason: `amount over the limit of ${PAYMENT_LIMIT}` };
  }
  return { outcome: 'authorized', paymentId: `pay-${order.orderId}`, amount: order.amount };
}

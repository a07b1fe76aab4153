import { decidePayment, FLAGGED_DECLINE_REASON } from './decide-payment';

describe('decidePayment', () => {
  it('authorizes an ordinary order for its total, with a payment id derived from the order', () => {
    expect(decidePayment({ orderId: 'o-1', customerId: 'c-1', amount: 42 })).toEqual({
      outcome: 'authorized',
      paymentId: 'pay-o-1',
      amount: 42,
    });
  });

  it('declines a customer whose id starts with "decline"', () => {
    expect(decidePayment({ orderId: 'o-2', customerId: 'decline-7', amount: 1 })).toMatchObject({
      outcome: 'declined',
    });
  });

  it('declines an order over the limit', () => {
    expect(decidePayment({ orderId: 'o-3', customerId: 'c-1', amount: 10_000.01 })).toMatchObject({
      outcome: 'declined',
      reason: expect.stringContaining('limit'),
    });
  });
});

describe('decidePayment with the payment.declineRate flag', () => {
  it('declines an order the rules would authorize when the flag says so, and says why', () => {
    expect(decidePayment({ orderId: 'o-4', customerId: 'c-1', amount: 5 }, () => true)).toEqual({
      outcome: 'declined',
      reason: FLAGGED_DECLINE_REASON,
    });
  });

  it('asks the flag only when the rules would authorize: a rule decline stays the rule decline', () => {
    const flag = jest.fn(() => true);
    expect(decidePayment({ orderId: 'o-5', customerId: 'decline-1', amount: 5 }, flag)).toEqual({
      outcome: 'declined',
      reason: 'card declined by issuer',
    });
    expect(flag).not.toHaveBeenCalled();
  });
});

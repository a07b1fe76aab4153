import { decidePayment } from './decide-payment';

describe('decidePayment', () => {
  it('authorizes an ordinary order for its total, with a payment id derived from the order', () => {
    expect(decidePayment({ orderId: 'o-1', customerId: 'c-1', amount: 42 })).toEqual({
      outcome: 'authorized',
      paymentId: 'pay-o-1',
      amount: 42,
    });
  });

  it('declines a customer whose id starts with "decline"', () => {
    expect(decidePayment({ orderId: 'o-2', customerId: 'decline-7', amount: 1 })).toMatchObject({ outcome: 'declined' });
  });

  it('declines an order over the limit', () => {
    expect(decidePayment({ orderId: 'o-3', customerId: 'c-1', amount: 10_000.01 })).toMatchObject({
      outcome: 'declined',
      reason: expect.stringContaining('limit'),
    });
  });
});

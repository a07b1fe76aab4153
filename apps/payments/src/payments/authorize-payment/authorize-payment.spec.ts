import { buildEvent } from '@flowscope/contracts';
import { FailureFlags, FailureInjector } from '@flowscope/fulfilment';
import { type EventPublisher } from '@flowscope/messaging';
import type { PaymentLedger, PaymentRecord } from '../payment-ledger';
import { AuthorizePayment } from './authorize-payment';
import { AuthorizePaymentHandler } from './authorize-payment.handler';

const quiet = { log: () => undefined, warn: () => undefined };

/** The use case and both its entry points over an in-memory ledger, with flags set by the test. */
function paymentsWith(flagValues: Record<string, string>) {
  const flags = new FailureFlags({ random: () => 0.5, log: quiet });
  for (const [key, value] of Object.entries(flagValues)) flags.apply(key, value);
  const records = new Map<string, PaymentRecord>();
  const ledger = {
    recordOnce: (r: PaymentRecord) => Promise.resolve(records.get(r.orderId) ?? (records.set(r.orderId, r), r)),
  };
  const publish = jest.fn(() => Promise.resolve({}));
  const useCase = new AuthorizePayment(
    { publish } as unknown as EventPublisher,
    ledger as unknown as PaymentLedger,
    new FailureInjector(flags, 'payments', quiet),
  );
  return { handler: new AuthorizePaymentHandler(useCase), publish, records, flags };
}

const command = { orderId: 'o-1', customerId: 'c-1', amount: 5, currency: 'EUR', style: 'orchestration' as const };

describe('AuthorizePayment with failure flags', () => {
  it('a flagged decline answers the saga PAYMENT_DECLINED and publishes payment.declined, as a rule decline does', async () => {
    const { handler, publish } = paymentsWith({ 'payment.declineRate': '1' });
    await expect(handler.onAuthorize(command)).resolves.toMatchObject({
      ok: false,
      code: 'PAYMENT_DECLINED',
      retryable: false,
    });
    expect(publish).toHaveBeenCalledWith(
      'payment.declined',
      expect.objectContaining({ orderId: 'o-1', reason: expect.stringContaining('payment.declineRate') }),
      expect.anything(),
    );
  });

  it('no flags: the order is authorized', async () => {
    const { handler, publish } = paymentsWith({});
    await expect(handler.onAuthorize(command)).resolves.toMatchObject({ ok: true, status: 'authorized' });
    expect(publish).toHaveBeenCalledWith('payment.authorized', expect.anything(), expect.anything());
  });

  it('a dropped event is not published, yet the outcome is recorded and the saga still gets its reply', async () => {
    const { handler, publish, records } = paymentsWith({ 'payments.dropRate': '1' });
    await expect(handler.onAuthorize(command)).resolves.toMatchObject({ ok: true });
    expect(publish).not.toHaveBeenCalled();
    expect(records.get('o-1')?.status).toBe('authorized');
  });

  it('a flagged decline in choreography publishes payment.declined from the event entry point', async () => {
    const { handler, publish } = paymentsWith({ 'payment.declineRate': '1' });
    const data = {
      orderId: 'o-2',
      customerId: 'c-1',
      items: [{ sku: 'BOOK-1', qty: 1, unitPrice: 5 }],
      total: 5,
      currency: 'EUR',
    };
    await handler.onOrderPlaced(buildEvent('order.placed', data, { source: 'test' }));
    expect(publish).toHaveBeenCalledWith(
      'payment.declined',
      expect.objectContaining({ orderId: 'o-2' }),
      expect.anything(),
    );
  });

  it('a retried command gets its first outcome even after the flag was removed', async () => {
    const { handler, flags } = paymentsWith({ 'payment.declineRate': '1' });
    await handler.onAuthorize(command);
    flags.apply('payment.declineRate', undefined);
    await expect(handler.onAuthorize(command)).resolves.toMatchObject({ ok: false, code: 'PAYMENT_DECLINED' });
  });
});

import { ReplyCode } from '@flowscope/contracts';
import { actionOf, applyReply } from './order-saga';
import { readStoredSaga, type StoredSaga } from './stored-saga';

const at = '2026-01-01T00:00:00.000Z';
const order = { customerId: 'c-1', items: [{ sku: 'A', qty: 1, unitPrice: 5 }], total: 5, currency: 'EUR' };
/** A saga as the first saga runner stored it (status, outcome, step 'done', done + compensations). */
const firstShape = (fields: Record<string, unknown>) =>
  ({
    orderId: 'o-1',
    order,
    status: 'running',
    step: 'payment',
    attempt: 0,
    done: [],
    compensations: [],
    history: [],
    startedAt: at,
    updatedAt: at,
    ...fields,
  }) as unknown as StoredSaga;

describe('a saga stored in the first shape', () => {
  it('going forward: the undos of what was done are remembered, oldest first', () => {
    const saga = readStoredSaga(firstShape({ step: 'shipment', done: ['payment', 'stock'] }));
    expect(saga).toMatchObject({ status: 'running', step: 'shipment', compensations: ['refund', 'release'] });
    expect(saga).not.toHaveProperty('done');
    const failed = applyReply(
      { ...saga, attempt: 1 },
      { ok: false, code: ReplyCode.SHIPMENT_FAILED, message: 'no carrier', retryable: false },
      { maxAttempts: 3 },
      new Date(at),
    );
    expect(failed).toMatchObject({ status: 'compensating', step: 'release', compensations: ['refund'] });
  });

  it('compensating: it goes on with the compensations still to run, in their order', () => {
    const stored = firstShape({
      step: 'release',
      outcome: 'cancelled',
      reason: 'shipment failed: no carrier',
      done: ['payment', 'stock'],
      compensations: ['refund'],
    });
    const saga = readStoredSaga(stored);
    expect(saga).toMatchObject({ status: 'compensating', step: 'release', compensations: ['refund'] });
    expect(actionOf(saga)).toMatchObject({ subject: 'cmd.stock.release', compensating: true });
  });

  it('finishing a completed order: it publishes order.completed, nothing left to undo', () => {
    const saga = readStoredSaga(
      firstShape({ step: 'finish', outcome: 'completed', done: ['payment', 'stock', 'shipment'] }),
    );
    expect(saga).toMatchObject({ status: 'running', compensations: ['refund', 'release'] });
    expect(actionOf(saga)).toMatchObject({ kind: 'event', type: 'order.completed' });
  });

  it('notifying a cancelled order, and once over', () => {
    const notifying = readStoredSaga(firstShape({ step: 'notify', outcome: 'cancelled', reason: 'payment declined' }));
    expect(notifying.status).toBe('compensating');
    expect(actionOf(notifying)).toMatchObject({ data: { template: 'order-cancelled' } });
    const over = readStoredSaga(firstShape({ step: 'done', status: 'cancelled', outcome: 'cancelled' }));
    expect(over).toMatchObject({ status: 'cancelled', step: 'notify' });
    expect(over).not.toHaveProperty('outcome');
  });

  it("a saga stored in today's shape is read as it is", () => {
    const today = readStoredSaga(firstShape({ step: 'stock', done: ['payment'] }));
    expect(today).toMatchObject({ status: 'running', compensations: ['refund'] });
    expect(readStoredSaga(today)).toBe(today);
  });
});

import { applyOrderEvent } from '../order-record';
import { buildEvent } from '@flowscope/contracts';
import { startSaga, type SagaState, type SagaTransition } from '../saga/saga-state';
import { orchestratedOrderView } from './order-view';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const order = { customerId: 'c-1', items: [{ sku: 'A', qty: 1, unitPrice: 2 }], total: 2, currency: 'EUR' };
const record = applyOrderEvent(
  undefined,
  buildEvent('order.placed', { orderId: 'o-1', ...order, style: 'orchestration' }, { source: 'test' }),
);
const saga = (history: [SagaTransition['step'], string, number][], extra: Partial<SagaState> = {}): SagaState => ({
  ...startSaga('o-1', order, new Date(at(0))),
  history: history.map(([step, result, s]) => ({ step, attempt: 1, result, at: at(s) })),
  ...extra,
});

describe('orchestratedOrderView', () => {
  it('is the placed record while the saga has not finished', () => {
    expect(orchestratedOrderView(record, saga([['payment', 'ok', 1]]))).toEqual(record);
  });

  it('is completed when the saga finished so, and notified once the notification was answered ok', () => {
    const finished = saga([
      ['payment', 'ok', 1],
      ['stock', 'ok', 2],
      ['shipment', 'ok', 3],
      ['finish', 'completed', 4],
    ]);
    expect(orchestratedOrderView(record, finished)).toMatchObject({ status: 'completed', completedAt: at(4) });
    expect(orchestratedOrderView(record, finished).notifiedAt).toBeUndefined();
    const notified = {
      ...finished,
      history: [...finished.history, { step: 'notify', attempt: 1, result: 'ok', at: at(5) }],
    };
    expect(orchestratedOrderView(record, notified as SagaState)).toMatchObject({
      status: 'completed',
      notifiedAt: at(5),
      updatedAt: at(5),
      customerId: 'c-1',
      style: 'orchestration',
    });
  });

  it('is cancelled with the saga reason, and a notification that failed is not a notified customer', () => {
    const cancelled = saga(
      [
        ['payment', 'PAYMENT_DECLINED', 1],
        ['finish', 'cancelled', 2],
        ['notify', 'COMMAND_TIMEOUT', 3],
      ],
      { status: 'cancelled', reason: 'payment declined: card declined' },
    );
    const view = orchestratedOrderView(record, cancelled);
    expect(view).toMatchObject({ status: 'cancelled', reason: 'payment declined: card declined', cancelledAt: at(2) });
    expect(view.notifiedAt).toBeUndefined();
  });
});

import { buildEvent, type EventData, type EventType } from '@flowscope/contracts';
import { applyOrderEvent, type OrderRecord } from './order-record';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const ev = <T extends EventType>(type: T, data: EventData<T>, s = 0) =>
  buildEvent(type, data, { source: 'test', time: at(s) });
const placed = ev('order.placed', {
  orderId: 'o-1',
  customerId: 'c-1',
  items: [{ sku: 'A', qty: 1, unitPrice: 2 }],
  total: 2,
  currency: 'EUR',
});
const fold = (...events: ReturnType<typeof ev>[]) =>
  events.reduce<OrderRecord | undefined>(applyOrderEvent, undefined)!;

describe('applyOrderEvent', () => {
  it('a placed order is placed, in choreography by default', () => {
    expect(fold(placed)).toMatchObject({ orderId: 'o-1', status: 'placed', style: 'choreography', total: 2 });
  });

  it('a scheduled shipment completes the order', () => {
    expect(fold(placed, ev('shipment.scheduled', { orderId: 'o-1' }, 3))).toMatchObject({
      status: 'completed',
      completedAt: at(3).toISOString(),
    });
  });

  it('when payment is declined, the order is cancelled with the reason', () => {
    const declined = ev('payment.declined', { orderId: 'o-1', reason: 'card declined by issuer' }, 1);
    expect(fold(placed, declined)).toMatchObject({
      status: 'cancelled',
      reason: 'payment declined: card declined by issuer',
    });
  });

  it('a final status is never undone, and late order data still fills in', () => {
    const failed = ev('shipment.failed', { orderId: 'o-1' }, 1);
    const record = fold(failed, ev('shipment.scheduled', { orderId: 'o-1' }, 2), placed);
    expect(record).toMatchObject({ status: 'cancelled', reason: 'shipment failed', customerId: 'c-1' });
  });

  it('records when the customer was notified', () => {
    const notified = ev('customer.notified', { orderId: 'o-1', channel: 'email', template: 'order-completed' }, 5);
    expect(fold(placed, notified).notifiedAt).toBe(at(5).toISOString());
  });
});

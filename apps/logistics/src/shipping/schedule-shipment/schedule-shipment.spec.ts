import { OrderLookup } from '@flowscope/fulfilment';
import { FailureFlags, FailureInjector } from '@flowscope/fulfilment';
import { type EventPublisher } from '@flowscope/messaging';
import { buildEvent, type OrderPlaced } from '@flowscope/contracts';
import { ScheduleShipment } from './schedule-shipment';
import { ScheduleShipmentHandler } from './schedule-shipment.handler';

const quiet = { log: () => undefined, warn: () => undefined };
const order: OrderPlaced = {
  orderId: 'o-1',
  customerId: 'c-1',
  items: [{ sku: 'BOOK-1', qty: 1, unitPrice: 5 }],
  total: 5,
  currency: 'EUR',
};

/** The use case and both entry points, with the order known and flags set by the test. */
function logisticsWith(flagValues: Record<string, string>) {
  const flags = new FailureFlags({ log: quiet });
  for (const [key, value] of Object.entries(flagValues)) flags.apply(key, value);
  const publish = jest.fn(() => Promise.resolve({}));
  const useCase = new ScheduleShipment(
    { publish } as unknown as EventPublisher,
    new FailureInjector(flags, 'logistics', quiet),
  );
  // Older stock.reserved events (without fulfilment) read the orders service's record of the order.
  const orders = new OrderLookup(() => Promise.resolve({ get: () => Promise.resolve({ value: order, revision: 1 }) }));
  return { handler: new ScheduleShipmentHandler(useCase, orders), publish };
}

const reserved = buildEvent('stock.reserved', { orderId: 'o-1', reservationId: 'res-o-1' }, { source: 'test' });

describe('ScheduleShipment with failure flags', () => {
  it('a flagged failure answers the saga SHIPMENT_FAILED and publishes shipment.failed, as AQ does', async () => {
    const { handler, publish } = logisticsWith({ 'logistics.failureRate': '1' });
    await expect(handler.onSchedule({ orderId: 'o-1', style: 'orchestration' })).resolves.toMatchObject({
      ok: false,
      code: 'SHIPMENT_FAILED',
    });
    expect(publish).toHaveBeenCalledWith(
      'shipment.failed',
      expect.objectContaining({ reason: expect.stringContaining('logistics.failureRate') }),
      expect.anything(),
    );
  });

  it('in choreography a flagged failure publishes shipment.failed, which the compensations react to', async () => {
    const { handler, publish } = logisticsWith({ 'logistics.failureRate': '1' });
    await handler.onStockReserved(reserved);
    expect(publish).toHaveBeenCalledWith('shipment.failed', expect.objectContaining({ orderId: 'o-1' }), {
      causedBy: reserved,
    });
  });

  it('with a drop rate of 1 the shipment is decided but shipment.scheduled is not published', async () => {
    const { handler, publish } = logisticsWith({ 'logistics.dropRate': '1' });
    await handler.onStockReserved(reserved);
    await expect(handler.onSchedule({ orderId: 'o-1', style: 'orchestration' })).resolves.toMatchObject({
      ok: true,
      shipmentId: 'shp-o-1',
    });
    expect(publish).not.toHaveBeenCalled();
  });

  it('ships to the destination stock.reserved carries, reading no order record', async () => {
    const { handler, publish } = logisticsWith({});
    const carried = buildEvent(
      'stock.reserved',
      { orderId: 'o-1', reservationId: 'res-o-1', fulfilment: { items: order.items, destination: 'AQ' } },
      { source: 'test' },
    );
    await handler.onStockReserved(carried);
    expect(publish).toHaveBeenCalledWith('shipment.failed', expect.objectContaining({ orderId: 'o-1' }), {
      causedBy: carried,
    });
  });
});

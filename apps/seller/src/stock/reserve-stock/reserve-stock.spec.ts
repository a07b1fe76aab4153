import { FailureFlags, FailureInjector } from '@flowscope/fulfilment';
import { type EventPublisher } from '@flowscope/messaging';
import type { Reservation, ReservationBook } from '../reservation-book';
import { ReserveStock } from './reserve-stock';

const quiet = { log: () => undefined, warn: () => undefined };
const items = [{ sku: 'BOOK-1', qty: 1, unitPrice: 5 }];

function sellerWith(flagValues: Record<string, string>) {
  const flags = new FailureFlags({ log: quiet });
  for (const [key, value] of Object.entries(flagValues)) flags.apply(key, value);
  const book = new Map<string, Reservation>();
  const reservations = {
    recordOnce: (r: Reservation) => Promise.resolve(book.get(r.orderId) ?? (book.set(r.orderId, r), r)),
  } as unknown as ReservationBook;
  const publish = jest.fn(() => Promise.resolve({}));
  return {
    reserve: new ReserveStock(
      { publish } as unknown as EventPublisher,
      reservations,
      new FailureInjector(flags, 'seller', quiet),
    ),
    publish,
    book,
  };
}

describe('ReserveStock with failure flags', () => {
  it('a flagged out-of-stock is recorded and published as stock.unavailable, as an OOS- sku is', async () => {
    const { reserve, publish, book } = sellerWith({ 'seller.outOfStockRate': '1' });
    await expect(reserve.execute('o-1', { items }, 'choreography')).resolves.toMatchObject({
      status: 'unavailable',
      sku: 'BOOK-1',
    });
    expect(publish).toHaveBeenCalledWith(
      'stock.unavailable',
      expect.objectContaining({ orderId: 'o-1', sku: 'BOOK-1' }),
      expect.anything(),
    );
    expect(book.get('o-1')?.status).toBe('unavailable');
  });

  it('with a drop rate of 1 the reservation is kept but stock.reserved is not published', async () => {
    const { reserve, publish, book } = sellerWith({ 'seller.dropRate': '1' });
    await reserve.execute('o-2', { items }, 'choreography');
    expect(publish).not.toHaveBeenCalled();
    expect(book.get('o-2')?.status).toBe('reserved');
  });

  it('stock.reserved carries the fulfilment on, so logistics needs no copy of the order', async () => {
    const { reserve, publish } = sellerWith({});
    await reserve.execute('o-3', { items, destination: 'FR' }, 'choreography');
    expect(publish).toHaveBeenCalledWith(
      'stock.reserved',
      expect.objectContaining({ orderId: 'o-3', fulfilment: { items, destination: 'FR' } }),
      expect.anything(),
    );
  });
});

import { decideReservation } from './decide-reservation';

describe('decideReservation', () => {
  it('reserves when every sku is in stock', () => {
    expect(decideReservation('o-1', [{ sku: 'BOOK-1', qty: 2, unitPrice: 5 }])).toEqual({
      outcome: 'reserved',
      reservationId: 'res-o-1',
    });
  });

  it('names the first out-of-stock sku', () => {
    const items = [
      { sku: 'BOOK-1', qty: 1, unitPrice: 5 },
      { sku: 'OOS-LAMP', qty: 1, unitPrice: 30 },
    ];
    expect(decideReservation('o-2', items)).toEqual({
      outcome: 'unavailable',
      sku: 'OOS-LAMP',
      reason: 'OOS-LAMP is out of stock',
    });
  });
});

describe('decideReservation with the seller.outOfStockRate flag', () => {
  const items = [{ sku: 'BOOK-1', qty: 1, unitPrice: 5 }];

  it('finds the first sku out of stock when the flag says so, and says why', () => {
    expect(decideReservation('o-3', items, () => true)).toEqual({
      outcome: 'unavailable',
      sku: 'BOOK-1',
      reason: 'BOOK-1 is out of stock (failure flag seller.outOfStockRate)',
    });
  });

  it('asks the flag only when everything is in stock', () => {
    const flag = jest.fn(() => true);
    expect(decideReservation('o-4', [{ sku: 'OOS-LAMP', qty: 1, unitPrice: 30 }], flag)).toMatchObject({
      sku: 'OOS-LAMP',
    });
    expect(flag).not.toHaveBeenCalled();
    expect(decideReservation('o-5', items, () => false)).toEqual({ outcome: 'reserved', reservationId: 'res-o-5' });
  });
});

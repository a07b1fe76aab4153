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
    expect(decideReservation('o-2', items)).toEqual({ outcome: 'unavailable', sku: 'OOS-LAMP', reason: 'OOS-LAMP is out of stock' });
  });
});

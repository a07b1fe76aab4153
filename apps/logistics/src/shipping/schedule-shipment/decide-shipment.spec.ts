import { decideShipment } from './decide-shipment';

describe('decideShipment', () => {
  it('schedules a shipment to the default destination', () => {
    expect(decideShipment('o-1')).toEqual({ outcome: 'scheduled', shipmentId: 'shp-o-1', carrier: 'flowpost' });
  });

  it('fails for a destination no carrier serves', () => {
    expect(decideShipment('o-2', 'AQ')).toEqual({ outcome: 'failed', reason: 'no carrier serves AQ' });
  });
});

describe('decideShipment with the logistics.failureRate flag', () => {
  it('fails a shipment a carrier would take when the flag says so, and says why', () => {
    expect(decideShipment('o-3', 'FR', () => true)).toEqual({
      outcome: 'failed',
      reason: 'no carrier available for FR (failure flag logistics.failureRate)',
    });
  });

  it('asks the flag only when a carrier serves the destination', () => {
    const flag = jest.fn(() => true);
    expect(decideShipment('o-4', 'AQ', flag)).toEqual({ outcome: 'failed', reason: 'no carrier serves AQ' });
    expect(flag).not.toHaveBeenCalled();
    expect(decideShipment('o-5', undefined, () => false)).toMatchObject({ outcome: 'scheduled' });
  });
});

import { decideShipment } from './decide-shipment';

describe('decideShipment', () => {
  it('schedules a shipment to the default destination', () => {
    expect(decideShipment('o-1')).toEqual({ outcome: 'scheduled', shipmentId: 'shp-o-1', carrier: 'flowpost' });
  });

  it('fails for a destination no carrier serves', () => {
    expect(decideShipment('o-2', 'AQ')).toEqual({ outcome: 'failed', reason: 'no carrier serves AQ' });
  });
});

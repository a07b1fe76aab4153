import { RetryLaterError } from '@flowscope/messaging';
import { OrderLookup } from '../src';

const book = { sku: 'BOOK-1', qty: 1, unitPrice: 25 };

function lookupOver(records: Record<string, object>) {
  const reads: string[] = [];
  const get = (key: string) => {
    reads.push(key);
    return Promise.resolve(records[key] ? { value: records[key], revision: 1 } : undefined);
  };
  return { lookup: new OrderLookup(() => Promise.resolve({ get })), reads };
}

describe('OrderLookup.fulfilmentOf', () => {
  it('uses what the event carries and reads nothing', async () => {
    const { lookup, reads } = lookupOver({});
    await expect(lookup.fulfilmentOf('o-1', { items: [book], destination: 'FR' })).resolves.toEqual({
      items: [book],
      destination: 'FR',
    });
    expect(reads).toEqual([]);
  });

  it("for an older event without it, reads the orders service's record", async () => {
    const { lookup, reads } = lookupOver({ 'o-2': { orderId: 'o-2', items: [book], destination: 'AQ', total: 25 } });
    await expect(lookup.fulfilmentOf('o-2', undefined)).resolves.toEqual({ items: [book], destination: 'AQ' });
    expect(reads).toEqual(['o-2']);
  });

  it('asks for a redelivery when orders has not recorded the order yet', async () => {
    const { lookup } = lookupOver({});
    const failure = lookup.fulfilmentOf('o-3', undefined);
    await expect(failure).rejects.toBeInstanceOf(RetryLaterError);
    await expect(failure).rejects.toMatchObject({ code: 'ORDER_NOT_YET_KNOWN' });
  });
});

import { buildEvent, type OrderPlaced } from '@flowscope/contracts';
import { startNatsServer, type NatsServerHandle } from '../../../deploy/launch/nats-server';
import { NatsClient, OrderProjection, RetryLaterError } from '../src';

// A real nats-server per file: starting it and waiting on probes takes longer than jest's 5 s default.
jest.setTimeout(30_000);

let server: NatsServerHandle;
let nats: NatsClient;

beforeAll(async () => {
  server = await startNatsServer();
  nats = await NatsClient.connect(server.url, 'projection-test');
});

afterAll(async () => {
  await nats?.drain();
  await server?.stop();
});

const placed = (orderId: string): OrderPlaced => ({
  orderId,
  customerId: 'c-1',
  items: [{ sku: 'SKU-1', qty: 1, unitPrice: 1 }],
  total: 1,
  currency: 'EUR',
});
const placedEvent = (orderId: string) => buildEvent('order.placed', placed(orderId), { source: 'test' });

describe('OrderProjection.require', () => {
  it('gives a recorded order back', async () => {
    const projection = await OrderProjection.open(nats, 'proj-known');
    await projection.record(placedEvent('o-known'));
    await expect(projection.require('o-known')).resolves.toMatchObject({ orderId: 'o-known', total: 1 });
  });

  it('an order recorded in this process while a handler waits for it wakes the handler', async () => {
    // A wait far beyond the test's timeout: only the wake-up from record() can settle it in time.
    const projection = await OrderProjection.open(nats, 'proj-wake', 120_000);
    const required = projection.require('o-late');
    await projection.record(placedEvent('o-late'));
    await expect(required).resolves.toMatchObject({ orderId: 'o-late' });
  });

  it('an order nobody records is a RetryLaterError after the wait, so the event is redelivered', async () => {
    const projection = await OrderProjection.open(nats, 'proj-unknown', 50);
    const error = await projection.require('o-never').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryLaterError);
    expect(error).toMatchObject({ code: 'ORDER_NOT_YET_KNOWN' });
  });
});

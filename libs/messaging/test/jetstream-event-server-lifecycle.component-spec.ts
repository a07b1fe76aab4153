import { buildEvent, EVENTS_STREAM, type OrderPlaced } from '@flowscope/contracts';
import { startNatsServer, type NatsServerHandle } from '../../../deploy/launch/nats-server';
import { waitFor } from '../../../deploy/launch/probe';
import { NatsClient } from '../src';
import { startEventApp, type EventApp } from './support/event-app';
import { settledPast } from './support/jetstream-probes';

const SERVICE = 'svc';
const DURABLE = 'svc-order_placed';
const patience = { timeoutMs: 10_000, intervalMs: 20 };

// A real nats-server per file: starting it and waiting on probes takes longer than jest's 5 s default.
jest.setTimeout(30_000);

let server: NatsServerHandle;
let publisher: NatsClient;
const apps: EventApp[] = [];

beforeAll(async () => {
  server = await startNatsServer();
  publisher = await NatsClient.connect(server.url, 'test-publisher');
});

afterAll(async () => {
  for (const app of apps) if (!app.nats.nc.isClosed()) await app.close();
  await publisher?.drain();
  await server?.stop();
});

async function startApp(): Promise<EventApp> {
  const app = await startEventApp(server.url, SERVICE);
  apps.push(app);
  return app;
}

const placed = (orderId: string): OrderPlaced => ({
  orderId,
  customerId: 'c-1',
  items: [{ sku: 'SKU-1', qty: 1, unitPrice: 1 }],
  total: 1,
  currency: 'EUR',
});

async function publishPlaced(orderId: string): Promise<number> {
  const event = buildEvent('order.placed', placed(orderId), { source: 'test' });
  return (await publisher.js.publish('order.placed', JSON.stringify(event), { msgID: event.id })).seq;
}

describe('JetStreamEventServer lifecycle', () => {
  it('after close() nothing is consumed; the durable consumer keeps the event for the next instance', async () => {
    const first = await startApp();
    const before = await publishPlaced('life-before');
    await waitFor(() => settledPast(publisher.jsm, DURABLE, before), { ...patience, what: 'the first event handled' });
    expect(first.calls.of('order.placed', 'life-before')).toHaveLength(1);

    await first.close();
    const after = await publishPlaced('life-after');
    // Nobody pulls any more: the event waits in the consumer, neither delivered nor acknowledged.
    const waiting = await waitFor(
      async () => {
        const info = await publisher.jsm.consumers.info(EVENTS_STREAM, DURABLE);
        return info.num_pending === 1 && info.num_waiting === 0 && info;
      },
      { ...patience, what: 'the event after close to be pending' },
    );
    expect(waiting).toMatchObject({ num_ack_pending: 0, delivered: { stream_seq: before } });
    expect(first.calls.of('order.placed', 'life-after')).toEqual([]);

    const second = await startApp();
    await waitFor(() => settledPast(publisher.jsm, DURABLE, after), {
      ...patience,
      what: 'the next instance to handle it',
    });
    expect(second.calls.of('order.placed', 'life-after')).toHaveLength(1);
    expect(second.calls.of('order.placed', 'life-before')).toEqual([]); // acknowledged before: not handled again
    await second.close();
  });

  it('close() lets the handlers in flight finish, and every event it handled is acknowledged', async () => {
    const app = await startApp();
    const release = app.calls.hold();
    for (let i = 0; i < 40; i++) {
      const event = buildEvent(
        'customer.notified',
        { orderId: `life-slow-${i}`, channel: 'email', template: 't' },
        { source: 'test' },
      );
      await publisher.js.publish('customer.notified', JSON.stringify(event), { msgID: event.id });
    }
    await waitFor(() => app.calls.all.length >= 16, { ...patience, what: 'the slow handlers to be busy' });
    const closing = app.close(); // closes the app, then drains its connection
    release();
    await closing;
    const started = app.calls.all.length;
    expect(app.calls.finished).toBe(started);
    // Acks reach the server asynchronously: wait until it has counted them. A message still on the
    // wire when the consumer closed stays unacknowledged (JetStream redelivers it after ack_wait),
    // so exactly the handled ones are acknowledged: had close() not waited, their acks would be lost.
    const info = await waitFor(
      async () => {
        const consumer = await publisher.jsm.consumers.info(EVENTS_STREAM, 'svc-customer_notified');
        return consumer.delivered.consumer_seq - consumer.num_ack_pending === started && consumer;
      },
      { ...patience, what: `${started} handled events to be acknowledged` },
    );
    expect(info.num_redelivered).toBe(0);
    expect(started + info.num_ack_pending + info.num_pending).toBe(40); // nothing lost
  });
});

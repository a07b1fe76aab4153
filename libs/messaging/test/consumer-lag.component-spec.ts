import { buildEvent, CUSTOMER_NOTIFIED, EVENTS_STREAM } from '@flowscope/contracts';
import { AckPolicy, type JsMsg } from 'nats';
import type { Gauge } from 'prom-client';
import { startNatsServer, type NatsServerHandle } from '../../../deploy/launch/nats-server';
import { waitFor } from '../../../deploy/launch/probe';
import { consumerLagMetrics, ConsumerLagPoller, durableName, ensureDurable, NatsClient } from '../src';
import { startEventApp, type EventApp } from './support/event-app';

const patience = { timeoutMs: 10_000, intervalMs: 20 };

// A real nats-server per file: starting it and waiting on probes takes longer than jest's 5 s default.
jest.setTimeout(30_000);

let server: NatsServerHandle;
let client: NatsClient;
const pollers: ConsumerLagPoller[] = [];
const apps: EventApp[] = [];

beforeAll(async () => {
  server = await startNatsServer();
  client = await NatsClient.connect(server.url, 'test-client');
});

afterAll(async () => {
  for (const poller of pollers) await poller.stop();
  for (const app of apps) if (!app.nats.nc.isClosed()) await app.close();
  await client?.drain();
  await server?.stop();
});

/** The gauge's value for one service and consumer, or undefined when it has no such series. */
async function valueOf(gauge: Gauge, service: string, consumer: string): Promise<number | undefined> {
  const { values } = await gauge.get();
  return values.find((v) => v.labels.service === service && v.labels.consumer === consumer)?.value;
}

async function lagOf(service: string, consumer: string): Promise<{ pending?: number; ackPending?: number }> {
  return {
    pending: await valueOf(consumerLagMetrics.pending, service, consumer),
    ackPending: await valueOf(consumerLagMetrics.ackPending, service, consumer),
  };
}

function startPoller(service: string, consumers: string[]): ConsumerLagPoller {
  const poller = new ConsumerLagPoller({ jsm: client.jsm, service, stream: EVENTS_STREAM, consumers, intervalMs: 50 });
  pollers.push(poller);
  poller.start();
  return poller;
}

describe('consumer lag gauges', () => {
  it('show what a durable consumer has not delivered yet and what it has not seen acknowledged', async () => {
    const durable = 'lag-probe';
    await ensureDurable(client.jsm, {
      durable_name: durable,
      filter_subject: 'order.lag_probe',
      ack_policy: AckPolicy.Explicit,
      ack_wait: 60e9,
    });
    for (let i = 0; i < 5; i++) await client.js.publish('order.lag_probe', JSON.stringify({ orderId: `lag-${i}` }));

    startPoller('lag-svc', [durable]);
    await waitFor(
      async () => {
        const lag = await lagOf('lag-svc', durable);
        return lag.pending === 5 && lag.ackPending === 0;
      },
      { ...patience, what: '5 pending, none awaiting an ack' },
    );

    // Take two without acknowledging them: they move from pending to ack pending.
    const consumer = await client.js.consumers.get(EVENTS_STREAM, durable);
    const taken: JsMsg[] = [];
    for await (const msg of await consumer.fetch({ max_messages: 2, expires: 5000 })) taken.push(msg);
    expect(taken).toHaveLength(2);
    await waitFor(
      async () => {
        const lag = await lagOf('lag-svc', durable);
        return lag.pending === 3 && lag.ackPending === 2;
      },
      { ...patience, what: '3 pending, 2 awaiting an ack' },
    );
  });

  it('a consumer that cannot be read is skipped (logged, not thrown) and the others are still reported; stop removes the series', async () => {
    const durable = 'lag-present';
    await ensureDurable(client.jsm, {
      durable_name: durable,
      filter_subject: 'order.lag_present',
      ack_policy: AckPolicy.Explicit,
    });
    await client.js.publish('order.lag_present', JSON.stringify({ orderId: 'lag-present' }));

    const poller = startPoller('lag-mixed', ['lag-missing', durable]);
    await waitFor(async () => (await lagOf('lag-mixed', durable)).pending === 1, {
      ...patience,
      what: 'the readable consumer reported',
    });
    expect(await lagOf('lag-mixed', 'lag-missing')).toEqual({ pending: undefined, ackPending: undefined });

    await poller.stop();
    expect(await lagOf('lag-mixed', durable)).toEqual({ pending: undefined, ackPending: undefined });
  });

  it("a service's event server reports the lag of its own durable consumers until it closes", async () => {
    const app = await startEventApp(server.url, 'lag-app');
    apps.push(app);
    const release = app.calls.hold();
    for (let i = 0; i < 3; i++) {
      const event = buildEvent(
        CUSTOMER_NOTIFIED,
        { orderId: `lag-app-${i}`, channel: 'email', template: 't' },
        { source: 'test' },
      );
      await client.js.publish(CUSTOMER_NOTIFIED, JSON.stringify(event), { msgID: event.id });
    }
    const durable = durableName('lag-app', CUSTOMER_NOTIFIED);
    // The slow handler holds all three: delivered, not acknowledged. The server polls every 5 s by default.
    await waitFor(async () => (await lagOf('lag-app', durable)).ackPending === 3, {
      ...patience,
      timeoutMs: 15_000,
      what: 'three messages awaiting an ack',
    });

    release();
    await waitFor(async () => (await lagOf('lag-app', durable)).ackPending === 0, {
      ...patience,
      timeoutMs: 15_000,
      what: 'nothing awaiting an ack',
    });
    await app.close();
    expect(await lagOf('lag-app', durable)).toEqual({ pending: undefined, ackPending: undefined });
  });
});

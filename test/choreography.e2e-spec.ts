// Issue 2 acceptance: the choreographed order flow, every app a real process, with real NATS and
// Jaeger, asserted through the orders API, the streams and Jaeger's HTTP API.
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { natsConnectOptions } from '../deploy/launch/nats-auth';
import { waitFor } from '../deploy/launch/probe';
import { startSystem, type FlowscopeSystem } from '../deploy/launch/system';
import {
  dlqMessages,
  eventTypesOf,
  orderTrace,
  placeOrder,
  spanNames,
  waitForOutcome,
  waitForQuiet,
} from './support/flow';
import { otlpAttr, otlpSpanKind, type OtlpResolvedSpan } from './support/jaeger-otlp-api';
import { natsPub } from './support/nats-cli';

const SERVICES = ['orders', 'payments', 'seller', 'logistics', 'notification'];
/** The trace also holds the process tracker's `flow order-fulfillment` span. */
const TRACED = [...SERVICES, 'process-tracker'];
const book = { sku: 'BOOK-1', qty: 2, unitPrice: 12.5 };

let system: FlowscopeSystem;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  system = await startSystem({ appEnv: { LOG_LEVEL: 'warn' } });
  nc = await connect(natsConnectOptions(system.nats));
  jsm = await nc.jetstreamManager();
}, 180_000);

afterAll(async () => {
  await nc?.close();
  await system?.stop();
}, 60_000);

/** Every CONSUMER span is the child of the PRODUCER span of its subject, and links to it. */
function expectConsumersChildOfProducers(spans: OtlpResolvedSpan[]): void {
  const consumers = spans.filter((s) => otlpSpanKind(s) === 'consumer');
  expect(consumers.length).toBeGreaterThan(0);
  for (const consumer of consumers) {
    const subject = String(otlpAttr(consumer, 'messaging.destination.name'));
    const producer = spans.find((s) => s.spanId === consumer.parentSpanId);
    expect({ consumer: consumer.name, parent: producer?.name, kind: producer && otlpSpanKind(producer) }).toEqual({
      consumer: `process ${subject}`,
      parent: `send ${subject}`,
      kind: 'producer',
    });
    expect(consumer.links?.map((l) => l.spanId)).toContain(producer!.spanId);
    expect(consumer.traceId).toBe(producer!.traceId);
  }
}

describe('choreography', () => {
  it('happy path: one trace through all five apps, the order completed and the customer notified', async () => {
    const orderId = await placeOrder(system, { customerId: 'c-happy', items: [book] });
    const order = await waitForOutcome(system, orderId);
    expect(order).toMatchObject({ status: 'completed', total: 25, currency: 'EUR' });
    expect(order.notifiedAt).toEqual(expect.any(String));

    await waitForQuiet(jsm);
    expect(await eventTypesOf(jsm, orderId)).toEqual([
      'customer.notified',
      'order.completed',
      'order.placed',
      'payment.authorized',
      'shipment.scheduled',
      'stock.reserved',
    ]);

    const hops = [
      'orders: send order.placed',
      'payments: process order.placed',
      'payments: send payment.authorized',
      'seller: process payment.authorized',
      'seller: send stock.reserved',
      'logistics: process stock.reserved',
      'logistics: send shipment.scheduled',
      'orders: process shipment.scheduled',
      'orders: send order.completed',
      'notification: process order.completed',
      'notification: send customer.notified',
      'orders: process customer.notified',
    ];
    const spans = await orderTrace(system, orderId, [...hops, 'process-tracker: flow order-fulfillment']);
    expect(new Set(spans.map((s) => s.serviceName))).toEqual(new Set(TRACED));
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    expect(spanNames(spans, orderId)).toEqual(expect.arrayContaining(hops));
    expectConsumersChildOfProducers(spans);
    const published = spans.find((s) => s.name === 'send payment.authorized')!;
    expect(published.attributes?.map((a) => a.key).sort()).toEqual(
      expect.arrayContaining([
        'flowscope.flow.style',
        'flowscope.order.id',
        'messaging.destination.name',
        'messaging.message.id',
        'messaging.operation.type',
        'messaging.system',
      ]),
    );
    expect(otlpAttr(published, 'messaging.system')).toBe('nats');
    expect(otlpAttr(published, 'messaging.operation.type')).toBe('send');
    expect(otlpAttr(published, 'flowscope.flow.style')).toBe('choreography');
    const processed = spans.find((s) => s.name === 'process payment.authorized')!;
    expect(otlpAttr(processed, 'messaging.operation.type')).toBe('process');
    expect(otlpAttr(processed, 'messaging.consumer.group.name')).toBe('seller-payment_authorized');
    expect(otlpAttr(processed, 'messaging.message.id')).toBe(otlpAttr(published, 'messaging.message.id'));
  }, 90_000);

  const failures = [
    {
      name: 'when payment is declined, the order is cancelled and nothing is compensated',
      order: { customerId: 'decline-1', items: [book] },
      reason: 'payment declined',
      events: ['customer.notified', 'order.cancelled', 'order.placed', 'payment.declined'],
      compensations: [],
    },
    {
      name: 'when stock is unavailable, the payment is refunded and the order cancelled',
      order: { customerId: 'c-oos', items: [book, { sku: 'OOS-LAMP', qty: 1, unitPrice: 30 }] },
      reason: 'stock unavailable',
      events: [
        'customer.notified',
        'order.cancelled',
        'order.placed',
        'payment.authorized',
        'payment.refunded',
        'stock.unavailable',
      ],
      compensations: ['payments: send payment.refunded'],
    },
    {
      name: 'when shipping fails, the stock is released, the payment refunded and the order cancelled',
      order: { customerId: 'c-aq', items: [book], destination: 'AQ' },
      reason: 'shipment failed',
      events: [
        'customer.notified',
        'order.cancelled',
        'order.placed',
        'payment.authorized',
        'payment.refunded',
        'shipment.failed',
        'stock.released',
        'stock.reserved',
      ],
      compensations: ['payments: send payment.refunded', 'seller: send stock.released'],
    },
  ];

  it.each(failures)(
    '$name',
    async ({ order, reason, events, compensations }) => {
      const orderId = await placeOrder(system, order);
      expect(await waitForOutcome(system, orderId)).toMatchObject({
        status: 'cancelled',
        reason: expect.stringContaining(reason),
      });
      await waitForQuiet(jsm);
      expect(await eventTypesOf(jsm, orderId)).toEqual(events);

      const spans = await orderTrace(system, orderId, [
        'notification: send customer.notified',
        'orders: process customer.notified',
        ...compensations,
      ]);
      expectConsumersChildOfProducers(spans);
      const allCompensations = ['payments: send payment.refunded', 'seller: send stock.released'];
      expect(
        spanNames(spans, orderId)
          .filter((n) => allCompensations.includes(n))
          .sort(),
      ).toEqual([...compensations].sort());
    },
    90_000,
  );

  it('a bare order.placed published with the NATS CLI starts a flow that completes, traced in Jaeger', async () => {
    const orderId = `cli-${Date.now()}`;
    const body = {
      orderId,
      customerId: 'c-cli',
      items: [{ sku: 'PEN-1', qty: 3, unitPrice: 2 }],
      total: 6,
      currency: 'EUR',
    };
    await natsPub(system.nats, 'order.placed', JSON.stringify(body));

    expect(await waitForOutcome(system, orderId)).toMatchObject({ status: 'completed', total: 6 });
    const spans = await orderTrace(system, orderId, [
      'orders: process order.placed',
      'payments: process order.placed',
      'seller: process payment.authorized',
      'logistics: process stock.reserved',
      'notification: send customer.notified',
      'process-tracker: flow order-fulfillment',
    ]);
    expect(new Set(spans.map((s) => s.serviceName))).toEqual(new Set(TRACED));
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
  }, 90_000);

  it('a service stopped while an order is in flight handles the pending event after it restarts', async () => {
    const seller = system.app('seller');
    await seller.stop();
    const orderId = await placeOrder(system, { customerId: 'c-restart', items: [book] });
    // The payment goes through while the seller is down; its consumer holds the event.
    await waitFor(async () => (await eventTypesOf(jsm, orderId)).includes('payment.authorized'), {
      timeoutMs: 30_000,
      what: 'payment.authorized while the seller is down',
    });
    const pending = await jsm.consumers.info('EVENTS', 'seller-payment_authorized');
    expect(pending.num_pending + pending.num_ack_pending).toBeGreaterThan(0);

    await seller.start();
    expect(await waitForOutcome(system, orderId)).toMatchObject({ status: 'completed' });
  }, 120_000);

  it('malformed JSON, a non-JSON payload and missing fields end up in dlq.<service> with a reason; the next order completes', async () => {
    const before = (await dlqMessages(jsm)).length;
    await natsPub(system.nats, 'order.placed', '{"orderId": "broken-1", ');
    await natsPub(system.nats, 'payment.authorized', 'definitely not json');
    await natsPub(system.nats, 'stock.reserved', '{"reservationId":"res-x"}');

    // order.placed has two service consumers (orders, payments: seller and logistics get what they
    // need from payment.authorized and stock.reserved), the others one each; the process tracker
    // reads every event and refuses all three too.
    const letters = await waitFor(
      async () => {
        const all = (await dlqMessages(jsm)).slice(before);
        return all.length >= 7 ? all : undefined;
      },
      { timeoutMs: 30_000, what: 'seven dead letters' },
    );
    const summary = letters.map((m) => ({
      dlq: m.subject,
      original: m.headers?.get('Flowscope-Original-Subject'),
      code: m.headers?.get('Flowscope-Dlq-Code'),
    }));
    expect(summary).toEqual(
      expect.arrayContaining([
        { dlq: 'dlq.orders', original: 'order.placed', code: 'MALFORMED_JSON' },
        { dlq: 'dlq.payments', original: 'order.placed', code: 'MALFORMED_JSON' },
        { dlq: 'dlq.seller', original: 'payment.authorized', code: 'MALFORMED_JSON' },
        { dlq: 'dlq.logistics', original: 'stock.reserved', code: 'INVALID_EVENT' },
        { dlq: 'dlq.process-tracker', original: 'order.placed', code: 'MALFORMED_JSON' },
        { dlq: 'dlq.process-tracker', original: 'payment.authorized', code: 'MALFORMED_JSON' },
        { dlq: 'dlq.process-tracker', original: 'stock.reserved', code: 'INVALID_EVENT' },
      ]),
    );
    expect(letters).toHaveLength(7);
    const missing = letters.find(
      (m) => m.subject === 'dlq.logistics' && m.headers?.get('Flowscope-Original-Subject') === 'stock.reserved',
    )!;
    expect(missing.headers?.get('Flowscope-Dlq-Reason')).toContain('orderId');
    expect(JSON.parse(missing.headers!.get('Flowscope-Dlq-Issues'))).toEqual([
      expect.objectContaining({ path: 'orderId' }),
    ]);
    expect(Buffer.from(missing.data).toString()).toBe('{"reservationId":"res-x"}');

    const orderId = await placeOrder(system, { customerId: 'c-after-poison', items: [book] });
    expect(await waitForOutcome(system, orderId)).toMatchObject({ status: 'completed' });
    await waitForQuiet(jsm);
    expect((await dlqMessages(jsm)).length).toBe(before + 7);
  }, 90_000);
});

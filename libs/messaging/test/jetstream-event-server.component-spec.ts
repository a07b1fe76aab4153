import { buildEvent, EVENTS_STREAM, type EventData, type EventType, type OrderPlaced } from '@flowscope/contracts';
import { AckPolicy } from 'nats';
import { startNatsServer, type NatsServerHandle } from '../../../deploy/launch/nats-server';
import { waitFor } from '../../../deploy/launch/probe';
import { DLQ_HEADERS, durableName, NatsClient } from '../src';
import { FLAKY_FAILURES, REDELIVERY, startEventApp, type EventApp } from './support/event-app';
import { deadLetterOf, settledPast } from './support/jetstream-probes';

const SERVICE = 'svc';
const patience = { timeoutMs: 10_000, intervalMs: 20 };

// A real nats-server per file: starting it and waiting on probes takes longer than jest's 5 s default.
jest.setTimeout(30_000);

let server: NatsServerHandle;
let svc: EventApp;
let publisher: NatsClient;

beforeAll(async () => {
  server = await startNatsServer();
  svc = await startEventApp(server.url, SERVICE);
  publisher = await NatsClient.connect(server.url, 'test-publisher');
});

afterAll(async () => {
  await svc?.close();
  await publisher?.drain();
  await server?.stop();
});

let orders = 0;
/** A fresh orderId per test, so no test sees another one's events. */
const newOrderId = (what: string): string => `${what}-${process.pid}-${++orders}`;

const placed = (orderId: string): OrderPlaced => ({
  orderId,
  customerId: 'c-1',
  items: [{ sku: 'SKU-1', qty: 2, unitPrice: 4 }],
  total: 8,
  currency: 'EUR',
});

/** Publishes a CloudEvent as a service would; returns its stream sequence. */
async function publish<T extends EventType>(type: T, data: EventData<T>, id?: string): Promise<number> {
  const event = buildEvent(type, data, { source: 'test', id });
  return (await publisher.js.publish(type, JSON.stringify(event), { msgID: event.id })).seq;
}

/** Publishes raw bytes, as `nats pub <subject> <body>` does; returns the stream sequence. */
async function publishRaw(subject: string, body: string): Promise<number> {
  return (await publisher.js.publish(subject, body)).seq;
}

const settled = (subject: string, seq: number) =>
  waitFor(() => settledPast(publisher.jsm, durableName(SERVICE, subject), seq), {
    ...patience,
    what: `${subject} #${seq} settled`,
  });

const deadLettered = (seq: number) =>
  waitFor(() => deadLetterOf(publisher.jsm, SERVICE, seq), { ...patience, what: `a dead letter of #${seq}` });

describe('JetStreamEventServer', () => {
  it('every @EventPattern gets a durable consumer <service>-<subject> with explicit ack and bounded deliveries', async () => {
    const info = await publisher.jsm.consumers.info(EVENTS_STREAM, 'svc-order_placed');
    expect(info.config).toMatchObject({
      durable_name: 'svc-order_placed',
      filter_subject: 'order.placed',
      ack_policy: AckPolicy.Explicit,
      max_deliver: REDELIVERY.maxDeliver + 1,
    });
    const names = (await publisher.jsm.consumers.list(EVENTS_STREAM).next()).map((c) => c.name).sort();
    expect(names).toEqual([
      'svc-customer_notified',
      'svc-order_placed',
      'svc-payment_authorized',
      'svc-payment_declined',
      'svc-stock_released',
      'svc-stock_reserved',
    ]);
  });

  it('a valid event reaches its handler once and is acknowledged', async () => {
    const orderId = newOrderId('ok');
    const seq = await publish('order.placed', placed(orderId));
    const info = await settled('order.placed', seq);
    expect(svc.calls.of('order.placed', orderId)).toEqual([expect.objectContaining({ deliveryCount: 1 })]);
    expect(info).toMatchObject({ num_ack_pending: 0, num_pending: 0, num_redelivered: 0 });
  });

  it('a bare JSON object, as `nats pub` sends it, is an event whose id is <subject>#<sequence>', async () => {
    const orderId = newOrderId('bare');
    const seq = await publishRaw('order.placed', JSON.stringify(placed(orderId)));
    await settled('order.placed', seq);
    expect(svc.calls.of('order.placed', orderId)).toEqual([
      expect.objectContaining({ eventId: `order.placed#${seq}` }),
    ]);
  });

  it(`a handler that fails ${FLAKY_FAILURES} times and then succeeds is called ${FLAKY_FAILURES + 1} times and acknowledged`, async () => {
    const orderId = newOrderId('flaky');
    const seq = await publish('payment.authorized', { orderId });
    await settled('payment.authorized', seq);
    expect(svc.calls.of('payment.authorized', orderId).map((c) => c.deliveryCount)).toEqual([1, 2, 3]);
    await expect(deadLetterOf(publisher.jsm, SERVICE, seq)).resolves.toBeUndefined();
  });

  it('a handler that always fails is called maxDeliver times, then its message goes to dlq.<service> and is not redelivered', async () => {
    const orderId = newOrderId('broken');
    const seq = await publish('payment.declined', { orderId, reason: 'card expired' });
    const letter = await deadLettered(seq);
    expect(letter.subject).toBe('dlq.svc');
    expect(letter.header.get(DLQ_HEADERS.code)).toBe('MAX_DELIVERIES');
    expect(letter.header.get(DLQ_HEADERS.deliveries)).toBe(String(REDELIVERY.maxDeliver));
    expect(letter.header.get(DLQ_HEADERS.subject)).toBe('payment.declined');
    expect(letter.header.get(DLQ_HEADERS.reason)).toContain('the ledger is down');
    expect(letter.json()).toMatchObject({ type: 'payment.declined', data: { orderId } });
    // Settled means terminated: the consumer holds nothing more to (re)deliver.
    await settled('payment.declined', seq);
    expect(svc.calls.of('payment.declined', orderId).map((c) => c.deliveryCount)).toEqual([1, 2, 3]);
  });

  it('a malformed payload is dead-lettered at once with MALFORMED_JSON and never reaches the handler', async () => {
    const before = svc.calls.all.length;
    const body = `{"orderId": "${newOrderId('malformed')}",`;
    const seq = await publishRaw('order.placed', body);
    const letter = await deadLettered(seq);
    expect(letter.header.get(DLQ_HEADERS.code)).toBe('MALFORMED_JSON');
    expect(letter.header.get(DLQ_HEADERS.deliveries)).toBe('1');
    expect(letter.string()).toBe(body); // the original bytes, for whoever repairs it
    await settled('order.placed', seq);
    expect(svc.calls.all.length).toBe(before);
  });

  it('an invalid event is dead-lettered at once with INVALID_EVENT and the paths of the offending fields', async () => {
    const orderId = newOrderId('invalid');
    const seq = await publishRaw(
      'order.placed',
      JSON.stringify({ ...placed(orderId), items: [{ sku: 'A', qty: 0, unitPrice: 1 }] }),
    );
    const letter = await deadLettered(seq);
    expect(letter.header.get(DLQ_HEADERS.code)).toBe('INVALID_EVENT');
    expect(JSON.parse(letter.header.get(DLQ_HEADERS.issues))).toEqual([
      expect.objectContaining({ path: 'items.0.qty' }),
    ]);
    await settled('order.placed', seq);
    expect(svc.calls.of('order.placed', orderId)).toEqual([]);
  });

  it('copies of one event in a burst (same orderId and type, new ids) take turns and are each acknowledged', async () => {
    // Nothing is remembered per delivery (handlers are idempotent by their own records); in one
    // process copies run one after the other, so the second finds the first one's outcome.
    const orderId = newOrderId('burst');
    const seqs = await Promise.all(
      [1, 2, 3, 4].map((n) => publish('order.placed', placed(orderId), `${orderId}-${n}`)),
    );
    await settled('order.placed', Math.max(...seqs));
    expect(svc.calls.of('order.placed', orderId)).toHaveLength(4);
    expect(svc.calls.mostAtOnce.get(orderId)).toBe(1);
  });

  it('a re-published event under the same id is dropped by the duplicate window and reaches the handler once', async () => {
    const orderId = newOrderId('twice');
    await publish('order.placed', placed(orderId), `${orderId}-same`);
    const seq = await publish('order.placed', placed(orderId), `${orderId}-same`);
    await settled('order.placed', seq);
    expect(svc.calls.of('order.placed', orderId)).toEqual([expect.objectContaining({ eventId: `${orderId}-same` })]);
  });

  it('an orchestrated event skips handlers for choreography only, and reaches handlers registered with allStyles', async () => {
    const orchestrated = newOrderId('orch');
    const choreographed = newOrderId('chor');
    const skipped = await publish('stock.reserved', { orderId: orchestrated, style: 'orchestration' });
    const control = await publish('stock.reserved', { orderId: choreographed });
    const released = await publish('stock.released', { orderId: orchestrated, style: 'orchestration' });
    await settled('stock.reserved', Math.max(skipped, control));
    await settled('stock.released', released);
    expect(svc.calls.of('stock.reserved', orchestrated)).toEqual([]);
    expect(svc.calls.of('stock.reserved', choreographed)).toHaveLength(1);
    expect(svc.calls.of('stock.released', orchestrated)).toHaveLength(1);
  });
});

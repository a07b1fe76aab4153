import { EVENTS_STREAM, parseEvent, type OrderPlaced } from '@flowscope/contracts';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startNatsServer, type NatsServerHandle } from '../../../deploy/launch/nats-server';
import { EventPublisher, NatsClient } from '../src';

// The same global wiring the NodeSDK does, with spans kept in memory (cf. libs/telemetry/test/otel-harness.ts).
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

// A real nats-server per file: starting it and waiting on probes takes longer than jest's 5 s default.
jest.setTimeout(30_000);

let server: NatsServerHandle;
let nats: NatsClient;
let publisher: EventPublisher;

const placed = (orderId: string): OrderPlaced => ({
  orderId,
  customerId: 'c-1',
  items: [{ sku: 'SKU-1', qty: 1, unitPrice: 9.5 }],
  total: 9.5,
  currency: 'EUR',
});

beforeAll(async () => {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  server = await startNatsServer();
  nats = await NatsClient.connect(server.url, 'orders');
  publisher = new EventPublisher(nats, 'orders');
});

afterAll(async () => {
  await nats?.drain();
  await server?.stop();
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

afterEach(() => exporter.reset());

describe('EventPublisher', () => {
  it('stores a CloudEvent in EVENTS by the time publish resolves, with Nats-Msg-Id = event id', async () => {
    const event = await publisher.publish('order.placed', placed('pub-1'));
    // No waiting: the awaited PubAck means the event is already stored.
    const stored = await nats.jsm.streams.getMessage(EVENTS_STREAM, { last_by_subj: 'order.placed' });
    expect(stored.header.get('Nats-Msg-Id')).toBe(event.id);
    expect(stored.json()).toEqual(event);
    expect(event).toMatchObject({ specversion: '1.0', type: 'order.placed', source: 'orders', subject: 'pub-1' });
    expect(parseEvent({ subject: stored.subject, body: stored.data })).toEqual(event);
  });

  it('carries the PRODUCER span `send <subject>` as a W3C traceparent header', async () => {
    const event = await publisher.publish('payment.authorized', { orderId: 'pub-2', amount: 3 });
    const stored = await nats.jsm.streams.getMessage(EVENTS_STREAM, { last_by_subj: 'payment.authorized' });
    const [span] = exporter.getFinishedSpans();
    expect(span).toMatchObject({ name: 'send payment.authorized', kind: SpanKind.PRODUCER });
    expect(span.attributes).toMatchObject({ 'messaging.message.id': event.id, 'flowscope.order.id': 'pub-2' });
    const { traceId, spanId } = span.spanContext();
    expect(stored.header.get('traceparent')).toBe(`00-${traceId}-${spanId}-01`);
  });

  it('continues the trace of the caller', async () => {
    const parent = trace.getTracer('test').startSpan('place order');
    await context.with(trace.setSpan(context.active(), parent), () =>
      publisher.publish('order.completed', { orderId: 'pub-3' }),
    );
    parent.end();
    const send = exporter.getFinishedSpans().find((s) => s.name === 'send order.completed');
    expect(send?.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(send?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
  });

  it('publishing the same event twice stores it once', async () => {
    const before = (await nats.jsm.streams.info(EVENTS_STREAM)).state.messages;
    const first = await publisher.publish('order.placed', placed('pub-4'));
    const again = await publisher.publish('order.placed', placed('pub-4'));
    expect(again.id).toBe(first.id);
    expect((await nats.jsm.streams.info(EVENTS_STREAM)).state.messages).toBe(before + 1);
  });

  it('a new event id is a new message, even for the same order', async () => {
    const before = (await nats.jsm.streams.info(EVENTS_STREAM)).state.messages;
    await publisher.publish('order.placed', placed('pub-5'), { id: 'pub-5-a' });
    await publisher.publish('order.placed', placed('pub-5'), { id: 'pub-5-b' });
    expect((await nats.jsm.streams.info(EVENTS_STREAM)).state.messages).toBe(before + 2);
  });

  it('refuses invalid data before anything is published', async () => {
    const before = (await nats.jsm.streams.info(EVENTS_STREAM)).state.messages;
    const bad = { ...placed('pub-6'), currency: 'euro' };
    await expect(publisher.publish('order.placed', bad)).rejects.toMatchObject({ code: 'INVALID_EVENT' });
    expect((await nats.jsm.streams.info(EVENTS_STREAM)).state.messages).toBe(before);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});

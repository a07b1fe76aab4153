import { context, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { headers } from 'nats';
import {
  activeTraceId,
  injectTraceContext,
  withBusinessSpan,
  withClientSpan,
  withConsumerSpan,
  withProducerSpan,
  withServerSpan,
} from '../src';
import { OtelHarness } from './otel-harness';

const otel = new OtelHarness();
beforeAll(() => otel.install());
afterAll(() => otel.uninstall());
afterEach(() => otel.exporter.reset());

const SUBJECT = 'evt.order.placed';

/** Publishes like a producer service would and returns the headers that went on the wire. */
async function publish(subject = SUBJECT): Promise<ReturnType<typeof headers>> {
  const h = headers();
  await withProducerSpan(subject, h, { orderId: 'o-1', messageId: 'm-1', style: 'choreography' }, () =>
    Promise.resolve(),
  );
  return h;
}

/** Runs fn as if in another process: nothing is active, only the headers carry the trace. */
function elsewhere<T>(fn: () => Promise<T>): Promise<T> {
  return context.with(ROOT_CONTEXT, fn);
}

describe('withProducerSpan', () => {
  it('records a PRODUCER span `send <subject>` with messaging and business attributes', async () => {
    await publish();
    const span = otel.span(`send ${SUBJECT}`);
    expect(span.kind).toBe(SpanKind.PRODUCER);
    expect(span.attributes).toEqual({
      'messaging.system': 'nats',
      'messaging.destination.name': SUBJECT,
      'messaging.operation.name': 'send',
      'messaging.operation.type': 'send',
      'messaging.message.id': 'm-1',
      'flowscope.order.id': 'o-1',
      'flowscope.flow.style': 'choreography',
    });
    expect(span.ended).toBe(true);
  });

  it('injects its own context as a W3C traceparent header', async () => {
    const h = await publish();
    const { traceId, spanId } = otel.span(`send ${SUBJECT}`).spanContext();
    expect(h.get('traceparent')).toBe(`00-${traceId}-${spanId}-01`);
  });

  it('is a child of the active span and runs fn inside its own context', async () => {
    const parent = otel.tracer().startSpan('use case');
    const seen = await context.with(trace.setSpan(context.active(), parent), () =>
      withProducerSpan(SUBJECT, headers(), {}, (span) =>
        Promise.resolve({ span, traceId: activeTraceId(), active: trace.getActiveSpan() }),
      ),
    );
    parent.end();
    const producer = otel.span(`send ${SUBJECT}`);
    expect(producer.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(seen.traceId).toBe(parent.spanContext().traceId);
    expect(seen.active).toBe(seen.span);
  });
});

describe('withConsumerSpan', () => {
  it('continues the producer trace as its child, and links to the producer', async () => {
    const h = await publish();
    const traceInside = await elsewhere(() =>
      withConsumerSpan(SUBJECT, h, { consumerGroup: 'payment' }, () => Promise.resolve(activeTraceId())),
    );
    const producer = otel.span(`send ${SUBJECT}`).spanContext();
    const consumer = otel.span(`process ${SUBJECT}`);
    expect(consumer.kind).toBe(SpanKind.CONSUMER);
    expect(consumer.spanContext().traceId).toBe(producer.traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanId);
    expect(consumer.links.map((l) => l.context.spanId)).toEqual([producer.spanId]);
    expect(traceInside).toBe(producer.traceId);
    expect(consumer.attributes['messaging.operation.type']).toBe('process');
    expect(consumer.attributes['messaging.operation.name']).toBe('process');
    expect(consumer.attributes['messaging.consumer.group.name']).toBe('payment');
  });

  it('prefers the producer in the headers over a span active in the consumer process', async () => {
    const h = await publish();
    const local = otel.tracer().startSpan('poll loop');
    await context.with(trace.setSpan(ROOT_CONTEXT, local), () =>
      withConsumerSpan(SUBJECT, h, {}, () => Promise.resolve()),
    );
    local.end();
    const producer = otel.span(`send ${SUBJECT}`).spanContext();
    expect(otel.span(`process ${SUBJECT}`).parentSpanContext?.spanId).toBe(producer.spanId);
  });

  it('reads a traceparent header whatever its case (nats pub -H Traceparent:...)', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const spanId = '00f067aa0ba902b7';
    const h = headers();
    h.set('Traceparent', `00-${traceId}-${spanId}-01`);
    await elsewhere(() => withConsumerSpan(SUBJECT, h, {}, () => Promise.resolve()));
    const consumer = otel.span(`process ${SUBJECT}`);
    expect(consumer.spanContext().traceId).toBe(traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(spanId);
    expect(consumer.links.map((l) => l.context.spanId)).toEqual([spanId]);
  });

  it('starts a new root trace, without a link, when there are no headers', async () => {
    const result = await elsewhere(() => withConsumerSpan(SUBJECT, undefined, {}, () => Promise.resolve('handled')));
    const consumer = otel.span(`process ${SUBJECT}`);
    expect(result).toBe('handled');
    expect(consumer.parentSpanContext).toBeUndefined();
    expect(consumer.links).toEqual([]);
  });

  it('becomes a child of the active span, without a link, when the headers hold no trace', async () => {
    const local = otel.tracer().startSpan('poll loop');
    await context.with(trace.setSpan(ROOT_CONTEXT, local), () =>
      withConsumerSpan(SUBJECT, headers(), {}, () => Promise.resolve()),
    );
    local.end();
    const consumer = otel.span(`process ${SUBJECT}`);
    expect(consumer.parentSpanContext?.spanId).toBe(local.spanContext().spanId);
    expect(consumer.links).toEqual([]);
  });
});

describe('request/reply', () => {
  it('records CLIENT and SERVER spans named after the subject, the server a linked child of the client', async () => {
    const subject = 'cmd.payment.authorize';
    const h = headers();
    const reply = await withClientSpan(subject, h, { orderId: 'o-2' }, () =>
      elsewhere(() => withServerSpan(subject, h, { orderId: 'o-2' }, () => Promise.resolve('authorized'))),
    );
    const [client, server] = [SpanKind.CLIENT, SpanKind.SERVER].map((kind) =>
      otel.spans().find((s) => s.kind === kind),
    );
    expect(reply).toBe('authorized');
    expect(client?.name).toBe(subject);
    expect(server?.name).toBe(subject);
    expect(client?.attributes['messaging.operation.type']).toBe('send');
    expect(server?.attributes['messaging.operation.type']).toBe('process');
    expect(server?.spanContext().traceId).toBe(client?.spanContext().traceId);
    expect(server?.parentSpanContext?.spanId).toBe(client?.spanContext().spanId);
    expect(server?.links.map((l) => l.context.spanId)).toEqual([client?.spanContext().spanId]);
  });
});

describe('withBusinessSpan', () => {
  it('records an INTERNAL child span with business attributes only', async () => {
    const h = await publish();
    await elsewhere(() =>
      withConsumerSpan(SUBJECT, h, {}, () =>
        withBusinessSpan('reserve stock', { orderId: 'o-1', compensating: false }, () => Promise.resolve()),
      ),
    );
    const step = otel.span('reserve stock');
    expect(step.kind).toBe(SpanKind.INTERNAL);
    expect(step.parentSpanContext?.spanId).toBe(otel.span(`process ${SUBJECT}`).spanContext().spanId);
    expect(step.attributes).toEqual({ 'flowscope.order.id': 'o-1', 'flowscope.saga.compensating': false });
  });
});

describe('injectTraceContext / activeTraceId', () => {
  it('inject the active span context, and report its trace id', async () => {
    const h = headers();
    const traceId = await withBusinessSpan('step', {}, (span) => {
      injectTraceContext(h);
      expect(h.get('traceparent')).toContain(span.spanContext().spanId);
      return Promise.resolve(activeTraceId());
    });
    expect(traceId).toBe(otel.span('step').spanContext().traceId);
  });

  it('write nothing and report no trace outside any span', () => {
    const h = headers();
    injectTraceContext(h);
    expect(h.keys()).toEqual([]);
    expect(activeTraceId()).toBeUndefined();
  });
});

import { propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { TextMapPropagator, Tracer, TracerProvider } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { headers } from 'nats';
import { injectTraceContext, withBusinessSpan, withConsumerSpan, withProducerSpan, withServerSpan } from '../src';
import { OtelHarness } from './otel-harness';

const otel = new OtelHarness();
beforeAll(() => otel.install());
afterAll(() => otel.uninstall());
afterEach(() => otel.exporter.reset());

/** Domain errors carry a stable code (STYLE.md), since instanceof does not survive a NATS hop. */
class PaymentDeclinedError extends Error {
  readonly code = 'PAYMENT_DECLINED';
}

describe('error idiom', () => {
  it('records the exception, sets ERROR status and error.type = code, and rethrows the same error', async () => {
    const err = new PaymentDeclinedError('card declined');
    await expect(withProducerSpan('evt.payment.declined', headers(), {}, () => Promise.reject(err))).rejects.toBe(err);
    const span = otel.span('send evt.payment.declined');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'card declined' });
    expect(span.attributes['error.type']).toBe('PAYMENT_DECLINED');
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
    expect(span.events[0].attributes?.['exception.type']).toBe('PAYMENT_DECLINED');
    expect(span.events[0].attributes?.['exception.message']).toBe('card declined');
    expect(span.ended).toBe(true);
  });

  it('falls back to the class name for errors without a code', async () => {
    const err = new TypeError('bad input');
    await expect(withConsumerSpan('evt.x', undefined, {}, () => Promise.reject(err))).rejects.toBe(err);
    expect(otel.span('process evt.x').attributes['error.type']).toBe('TypeError');
  });

  it('handles a synchronous throw from a non-async fn and a thrown non-Error', async () => {
    const fn = (): Promise<never> => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- some libraries do throw non-Errors
      throw 'plain string';
    };
    await expect(withBusinessSpan('step', {}, fn)).rejects.toBe('plain string');
    const span = otel.span('step');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('_OTHER');
    expect(span.ended).toBe(true);
  });

  it('leaves a successful span UNSET with no error attributes', async () => {
    await withServerSpan('cmd.ok', undefined, {}, () => Promise.resolve());
    const span = otel.span('cmd.ok');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['error.type']).toBeUndefined();
  });
});

describe('attributes', () => {
  it('omits undefined attributes and keeps false ones', async () => {
    const attrs = { orderId: 'o-9', messageId: undefined, style: undefined, compensating: false };
    await withConsumerSpan('evt.y', undefined, attrs, () => Promise.resolve());
    expect(Object.keys(otel.span('process evt.y').attributes).sort()).toEqual([
      'flowscope.order.id',
      'flowscope.saga.compensating',
      'messaging.destination.name',
      'messaging.operation.name',
      'messaging.operation.type',
      'messaging.system',
    ]);
  });
});

describe('telemetry failures never break business code', () => {
  const throwingPropagator: TextMapPropagator = {
    inject: () => {
      throw new Error('inject broke');
    },
    extract: () => {
      throw new Error('extract broke');
    },
    fields: () => [],
  };

  function withPropagator(p: TextMapPropagator, fn: () => Promise<void>): Promise<void> {
    propagation.disable();
    propagation.setGlobalPropagator(p);
    return fn().finally(() => {
      propagation.disable();
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    });
  }

  it('still runs fn, and still records spans, when the propagator throws', () =>
    withPropagator(throwingPropagator, async () => {
      const h = headers();
      h.set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
      await expect(withProducerSpan('evt.a', headers(), {}, () => Promise.resolve('sent'))).resolves.toBe('sent');
      await expect(withConsumerSpan('evt.a', h, {}, () => Promise.resolve('handled'))).resolves.toBe('handled');
      expect(() => injectTraceContext(headers())).not.toThrow();
      expect(otel.span('send evt.a').kind).toBe(SpanKind.PRODUCER);
      expect(otel.span('process evt.a').links).toEqual([]);
    }));

  it('still propagates errors from fn unchanged when the propagator throws', () =>
    withPropagator(throwingPropagator, async () => {
      const err = new PaymentDeclinedError('declined');
      await expect(withProducerSpan('evt.b', headers(), {}, () => Promise.reject(err))).rejects.toBe(err);
    }));

  it('runs fn with a non-recording span when the tracer itself throws', async () => {
    const broken: TracerProvider = {
      getTracer: () =>
        ({
          startSpan: () => {
            throw new Error('tracer broke');
          },
        }) as unknown as Tracer,
    };
    trace.disable();
    trace.setGlobalTracerProvider(broken);
    try {
      const recording = await withProducerSpan('evt.c', headers(), {}, (span) => Promise.resolve(span.isRecording()));
      expect(recording).toBe(false);
    } finally {
      otel.install();
    }
  });
});

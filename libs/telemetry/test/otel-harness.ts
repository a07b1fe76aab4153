import { context, propagation, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/**
 * In-memory tracing for unit tests: the same global wiring the NodeSDK does (ALS context manager,
 * W3C propagator, a tracer provider), but spans land in memory synchronously when they end.
 */
export class OtelHarness {
  readonly exporter = new InMemorySpanExporter();
  private readonly provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(this.exporter)] });

  /** Replaces whatever is registered, so a test can break one piece and then call this again. */
  install(): void {
    this.reset();
    trace.setGlobalTracerProvider(this.provider);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  }

  async uninstall(): Promise<void> {
    await this.provider.shutdown();
    this.reset();
  }

  private reset(): void {
    trace.disable();
    context.disable();
    propagation.disable();
  }

  /** A tracer for test-side spans (the library uses its own). */
  tracer(): Tracer {
    return trace.getTracer('test');
  }

  spans(): ReadableSpan[] {
    return this.exporter.getFinishedSpans();
  }

  /** The only finished span with this name; fails loudly when there are none or several. */
  span(name: string): ReadableSpan {
    const found = this.spans().filter((s) => s.name === name);
    if (found.length !== 1) throw new Error(`expected one span "${name}", got ${found.length}`);
    return found[0];
  }
}

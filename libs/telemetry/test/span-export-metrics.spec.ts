import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { register, type Counter } from 'prom-client';
import { MeteredBatchSpanProcessor, spanExportMetrics } from '../src/span-export-metrics';

/** An exporter whose batches wait until the test settles them, as a slow or dead backend would. */
class HeldExporter implements SpanExporter {
  readonly batches: { spans: ReadableSpan[]; done: (result: ExportResult) => void }[] = [];

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.batches.push({ spans, done });
  }

  settleAll(code: ExportResultCode): number {
    const batches = this.batches.splice(0);
    batches.forEach((b) =>
      b.done({ code, ...(code === ExportResultCode.FAILED ? { error: new Error('ECONNREFUSED') } : {}) }),
    );
    return batches.reduce((n, b) => n + b.spans.length, 0);
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

async function value(counter: Counter): Promise<number> {
  return (await counter.get()).values[0]?.value ?? 0;
}

async function queueGauge(): Promise<number> {
  const gauge = register.getSingleMetric('flowscope_span_queue_spans')!;
  return (await gauge.get()).values[0]?.value ?? 0;
}

const exporters: HeldExporter[] = [];

// Batches still held keep the processor's export timers alive.
afterEach(async () => {
  for (const exporter of exporters.splice(0)) {
    while (exporter.settleAll(ExportResultCode.SUCCESS) > 0) await new Promise(setImmediate);
  }
});

function setup(maxQueueSize: number) {
  const exporter = new HeldExporter();
  exporters.push(exporter);
  const metrics = spanExportMetrics();
  metrics.exported.reset();
  metrics.exportFailures.reset();
  metrics.dropped.reset();
  const processor = new MeteredBatchSpanProcessor(
    exporter,
    { maxQueueSize, maxExportBatchSize: 2, scheduledDelayMillis: 60_000 },
    metrics,
  );
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('test');
  const endSpans = (n: number) => Array.from({ length: n }, (_, i) => tracer.startSpan(`s${i}`).end());
  return { exporter, metrics, processor, provider, endSpans };
}

describe('MeteredBatchSpanProcessor', () => {
  it('while the backend holds every export, keeps at most maxQueueSize spans and counts the rest as dropped', async () => {
    const { exporter, metrics, processor, endSpans } = setup(4);
    endSpans(10);
    expect(processor.queued).toBe(4);
    expect(await queueGauge()).toBe(4);
    expect(await value(metrics.dropped)).toBe(6);
    expect(exporter.batches.length).toBeGreaterThan(0); // full batches go out at once, and wait there
  });

  it('counts spans whose export failed, and frees their room in the queue', async () => {
    const { exporter, metrics, processor, endSpans } = setup(4);
    endSpans(4);
    let failed = 0;
    while (processor.queued > 0) {
      failed += exporter.settleAll(ExportResultCode.FAILED);
      await new Promise(setImmediate); // the processor starts its next batch after a settled one
    }
    expect(failed).toBe(4);
    expect(await value(metrics.exportFailures)).toBe(4);
    expect(await value(metrics.exported)).toBe(0);
    endSpans(1);
    expect(await value(metrics.dropped)).toBe(0);
  });

  it('counts exported spans once the backend accepts them', async () => {
    const { exporter, metrics, processor, endSpans } = setup(8);
    endSpans(3);
    const flushed = processor.forceFlush();
    let exported = 0;
    while (processor.queued > 0) {
      exported += exporter.settleAll(ExportResultCode.SUCCESS);
      await new Promise(setImmediate);
    }
    await flushed;
    expect(exported).toBe(3);
    expect(await value(metrics.exported)).toBe(3);
    expect(await value(metrics.exportFailures)).toBe(0);
  });

  it('ignores spans that were not sampled', async () => {
    const { metrics, processor, provider } = setup(1);
    const span = provider.getTracer('test').startSpan('unsampled');
    jest.spyOn(span, 'spanContext').mockReturnValue({ ...span.spanContext(), traceFlags: 0 });
    span.end();
    expect(processor.queued).toBe(0);
    expect(await value(metrics.dropped)).toBe(0);
  });
});

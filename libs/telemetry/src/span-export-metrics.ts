import { TraceFlags } from '@opentelemetry/api';
import { ExportResultCode, getNumberFromEnv, type ExportResult } from '@opentelemetry/core';
import {
  BatchSpanProcessor,
  type BufferConfig,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { Counter, Gauge, register } from 'prom-client';

/** The SDK's own default for OTEL_BSP_MAX_QUEUE_SIZE. */
const DEFAULT_MAX_QUEUE_SIZE = 2048;

function counter(name: string, help: string): Counter {
  return (register.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help });
}

/** What happened to finished spans, in prom-client's default registry (so every app's /metrics has it). */
export interface SpanExportMetrics {
  exported: Counter;
  exportFailures: Counter;
  dropped: Counter;
}

export function spanExportMetrics(): SpanExportMetrics {
  return {
    exported: counter('flowscope_spans_exported_total', 'Spans the trace backend accepted'),
    exportFailures: counter(
      'flowscope_span_export_failures_total',
      "Spans lost because their export failed (backend down or refusing, after the exporter's retries)",
    ),
    dropped: counter(
      'flowscope_spans_dropped_total',
      'Spans dropped on end because the export queue was full (backend slower than the traffic)',
    ),
  };
}

/** Counts what became of each batch, then hands the result on. */
class CountingSpanExporter implements SpanExporter {
  /** Set by the processor once it exists. */
  settled: (spans: number, result: ExportResult) => void = () => undefined;

  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const done = (result: ExportResult): void => {
      this.settled(spans.length, result);
      resultCallback(result);
    };
    try {
      this.inner.export(spans, done);
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/**
 * The SDK's BatchSpanProcessor, with what it loses counted. The SDK drops spans past maxQueueSize
 * silently (one debug line), so the bound is kept here, over the spans queued *and* being exported:
 * while the backend is down, memory stays bounded and every span lost is either a drop (queue full)
 * or an export failure, each with its counter.
 */
export class MeteredBatchSpanProcessor extends BatchSpanProcessor {
  private pending = 0;
  private readonly capacity: number;

  constructor(
    exporter: SpanExporter,
    config: BufferConfig = {},
    private readonly metrics: SpanExportMetrics = spanExportMetrics(),
  ) {
    const capacity = config.maxQueueSize ?? getNumberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE') ?? DEFAULT_MAX_QUEUE_SIZE;
    const counting = new CountingSpanExporter(exporter);
    super(counting, { ...config, maxQueueSize: capacity });
    counting.settled = (spans, result) => this.settled(spans, result);
    this.capacity = capacity;
    queueGauge(() => this.pending);
  }

  /** Spans queued or being exported right now. */
  get queued(): number {
    return this.pending;
  }

  override onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.pending >= this.capacity) {
      this.metrics.dropped.inc();
      return;
    }
    this.pending++;
    super.onEnd(span);
  }

  private settled(spans: number, result: ExportResult): void {
    this.pending = Math.max(0, this.pending - spans);
    if (result.code === ExportResultCode.SUCCESS) this.metrics.exported.inc(spans);
    else this.metrics.exportFailures.inc(spans);
  }
}

let readQueue: () => number = () => 0;

/** Read at scrape time from the latest processor (there is one per process). */
function queueGauge(read: () => number): void {
  readQueue = read;
  const name = 'flowscope_span_queue_spans';
  if (register.getSingleMetric(name)) return;
  new Gauge({
    name,
    help: 'Spans waiting for export or being exported (bounded by OTEL_BSP_MAX_QUEUE_SIZE)',
    collect() {
      this.set(readQueue());
    },
  });
}

import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { reportTelemetryFailure, telemetryState } from './lifecycle';
import { MeteredBatchSpanProcessor } from './span-export-metrics';

const PROBE_PATHS = new Set(['/health', '/metrics']);

/**
 * Only the HTTP server/client spans are used (the entry of an order); NATS spans are this
 * library's own. Every other instrumentation costs per call (patched modules, a span per Express
 * layer, per Nest handler, per log line) and nothing in a trace reads it: measured in BENCHMARKS.md.
 */
function httpInstrumentation(): HttpInstrumentation {
  // Prometheus scrapes and health probes would otherwise each start a trace.
  return new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => PROBE_PATHS.has(req.url ?? '') });
}

/**
 * Everything else comes from the standard OTEL_* variables through the SDK's own handling:
 * OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES (resource), OTEL_TRACES_SAMPLER(_ARG),
 * OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT (default http://localhost:4318), OTEL_BSP_*.
 */
function createSdk(): NodeSDK {
  return new NodeSDK({
    // The -base BatchSpanProcessor reads OTEL_BSP_* itself; the metered one bounds the spans queued
    // and being exported together, and counts exported, failed and dropped spans for /metrics.
    // Protobuf: a third of the JSON exporter's serialization time and bytes per span.
    spanProcessors: [new MeteredBatchSpanProcessor(new OTLPTraceExporter())],
    // W3C trace context is all the services read; baggage would be one more header per message.
    textMapPropagator: new W3CTraceContextPropagator(),
    // Metrics are prom-client, scraped; an empty list stops the SDK's default OTLP metric reader
    // from pushing to 4318/v1/metrics whatever OTEL_METRICS_EXPORTER says.
    metricReaders: [],
    // Likewise for logs: an empty list replaces the default OTLP log exporter.
    logRecordProcessors: [],
    instrumentations: [httpInstrumentation()],
  });
}

/**
 * Starts the SDK once per process. Returns whether it is running. register.ts decides about
 * OTEL_SDK_DISABLED before this module (and the SDK it imports) is loaded at all.
 * Never throws: an app without tracing beats an app that does not boot.
 */
export function startTelemetry(): boolean {
  const state = telemetryState();
  if (state.sdk) return true;
  try {
    const sdk = createSdk();
    sdk.start();
    state.sdk = sdk;
    return true;
  } catch (err) {
    reportTelemetryFailure('start', err);
    return false;
  }
}

import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import type { InstrumentationConfigMap } from '@opentelemetry/auto-instrumentations-node';
import { getBooleanFromEnv } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { reportTelemetryFailure, telemetryState } from './lifecycle';
import { MeteredBatchSpanProcessor } from './span-export-metrics';

const PROBE_PATHS = new Set(['/health', '/metrics']);

const INSTRUMENTATIONS: InstrumentationConfigMap = {
  // One span per file read, DNS lookup or socket buries the message spans in Jaeger.
  '@opentelemetry/instrumentation-fs': { enabled: false },
  '@opentelemetry/instrumentation-dns': { enabled: false },
  '@opentelemetry/instrumentation-net': { enabled: false },
  // Logs go to stdout as JSON (createLogger adds trace ids itself); there is no OTel logs pipeline.
  '@opentelemetry/instrumentation-pino': { disableLogSending: true },
  // Prometheus scrapes and health probes would otherwise each start a trace.
  '@opentelemetry/instrumentation-http': { ignoreIncomingRequestHook: (req) => PROBE_PATHS.has(req.url ?? '') },
  // Nest's own instrumentation names the controller and handler; a span per Express layer is noise.
  '@opentelemetry/instrumentation-express': { enabled: false },
  '@opentelemetry/instrumentation-router': { enabled: false },
};

/**
 * Everything else comes from the standard OTEL_* variables through the SDK's own handling:
 * OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES (resource), OTEL_TRACES_SAMPLER(_ARG),
 * OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT (default http://localhost:4318), OTEL_BSP_*, OTEL_PROPAGATORS.
 */
function createSdk(): NodeSDK {
  return new NodeSDK({
    // The -base BatchSpanProcessor reads OTEL_BSP_* itself; the metered one bounds the spans queued
    // and being exported together, and counts exported, failed and dropped spans for /metrics.
    spanProcessors: [new MeteredBatchSpanProcessor(new OTLPTraceExporter())],
    // Metrics are prom-client, scraped; an empty list stops the SDK's default OTLP metric reader
    // from pushing to 4318/v1/metrics whatever OTEL_METRICS_EXPORTER says.
    metricReaders: [],
    // Likewise for logs: an empty list replaces the default OTLP log exporter.
    logRecordProcessors: [],
    instrumentations: [getNodeAutoInstrumentations(INSTRUMENTATIONS)],
  });
}

/**
 * Starts the SDK once per process unless OTEL_SDK_DISABLED=true. Returns whether it is running.
 * Never throws: an app without tracing beats an app that does not boot.
 */
export function startTelemetry(): boolean {
  const state = telemetryState();
  if (state.sdk) return true;
  if (getBooleanFromEnv('OTEL_SDK_DISABLED')) return false;
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

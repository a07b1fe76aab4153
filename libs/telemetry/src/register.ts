/*
 * Side-effect entry point: `node --require dist/libs/telemetry/src/register.js dist/apps/x/main.js`.
 * It must run before the app requires http, express or nats, so that instrumentations can patch
 * them; that is why it is a --require preload and not an import in main.ts.
 */
import { telemetryDisabledByEnv } from './disabled';

// With OTEL_SDK_DISABLED=true the SDK is not even loaded: no context manager, no patched modules,
// nothing required but this file (the API's no-op tracer serves the library's span helpers).
if (!telemetryDisabledByEnv()) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when tracing is on
  const { startTelemetry } = require('./sdk') as typeof import('./sdk');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { shutdownTelemetry } = require('./lifecycle') as typeof import('./lifecycle');
  if (startTelemetry()) {
    // Scripts that just run to completion (benchmarks, one-off tools) have no Nest shutdown hook;
    // flush their spans when the event loop drains. Nest apps flush via TelemetryModule instead.
    process.once('beforeExit', () => void shutdownTelemetry());
  }
}

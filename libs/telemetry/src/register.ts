/*
 * Side-effect entry point: `node --require dist/libs/telemetry/src/register.js dist/apps/x/main.js`.
 * It must run before the app requires http, express or nats, so that instrumentations can patch
 * them; that is why it is a --require preload and not an import in main.ts.
 */
import { shutdownTelemetry } from './lifecycle';
import { startTelemetry } from './sdk';

if (startTelemetry()) {
  // Scripts that just run to completion (benchmarks, one-off tools) have no Nest shutdown hook;
  // flush their spans when the event loop drains. Nest apps flush via TelemetryModule instead.
  process.once('beforeExit', () => void shutdownTelemetry());
}

import type { TelemetryState } from './internal-types';

// Kept apart from sdk.ts so that importing '@flowscope/telemetry' does not load the whole SDK
// and auto-instrumentations; only register.js does.

// On globalThis rather than in a module variable: register.js is loaded by --require from dist,
// and if the app resolves a second copy of this file, both must still see the one SDK.
const STATE_KEY = Symbol.for('@flowscope/telemetry.state');

type GlobalWithState = typeof globalThis & { [STATE_KEY]?: TelemetryState };

export function telemetryState(): TelemetryState {
  const holder = globalThis as GlobalWithState;
  return (holder[STATE_KEY] ??= {});
}

/** True once register.js has started the SDK, until shutdownTelemetry() is called. */
export function isTelemetryEnabled(): boolean {
  const state = telemetryState();
  return state.sdk !== undefined && state.shutdown === undefined;
}

/**
 * Flushes pending spans and shuts the SDK down. Idempotent (every call gets the same promise),
 * a no-op when the SDK never started, and never rejects: losing spans must not fail a shutdown.
 */
export function shutdownTelemetry(): Promise<void> {
  const state = telemetryState();
  if (!state.sdk) return Promise.resolve();
  state.shutdown ??= state.sdk.shutdown().catch((err: unknown) => reportTelemetryFailure('shutdown', err));
  return state.shutdown;
}

const CONSEQUENCE = {
  start: 'the app runs without tracing',
  shutdown: 'spans still buffered are lost (OTEL_EXPORTER_OTLP_TIMEOUT bounds the wait)',
};

/** Plain stderr: the diag logger is silent by default and the app logger may not exist yet. */
export function reportTelemetryFailure(what: keyof typeof CONSEQUENCE, err: unknown): void {
  console.error(`[@flowscope/telemetry] OpenTelemetry SDK ${what} failed; ${CONSEQUENCE[what]}:`, err);
}

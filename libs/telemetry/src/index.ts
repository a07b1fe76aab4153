// Public surface of @flowscope/telemetry. The SDK itself starts in register.ts (a --require
// preload), so importing this module stays cheap and has no side effects.
export type { Span } from '@opentelemetry/api';
export type {
  HeaderCarrier,
  IncomingSpanOptions,
  LoggerOptions,
  MessagingSpanAttributes,
  TelemetryModuleOptions,
} from './types';
export {
  activeTraceId,
  captureTraceContext,
  seededTraceContext,
  withTraceContext,
  injectTraceContext,
  withBusinessSpan,
  withClientSpan,
  withConsumerSpan,
  withProducerSpan,
  withServerSpan,
} from './spans';
export { isTelemetryEnabled, shutdownTelemetry } from './lifecycle';
export { createLogger } from './logger';
export { TelemetryModule } from './telemetry.module';
export * from './semconv';

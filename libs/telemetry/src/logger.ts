import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { LoggerOptions } from './types';

// ARCHITECTURE.md: no personal data in logs. Keys are matched at the top level, one and two
// levels down (`{ order: { customer: { email } } }`); pino's redact cannot match at any depth.
const PERSONAL_KEYS = [
  'customerName',
  'name',
  'firstName',
  'lastName',
  'email',
  'address',
  'phone',
  'card',
  'cardNumber',
  'cvv',
];
const REDACT_PATHS = [
  ...PERSONAL_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  // pino-http logs request headers; credentials are not personal data but must not leak either.
  'req.headers.authorization',
  'req.headers.cookie',
];

/**
 * trace_id / span_id / trace_flags of the active span, the field names the OTel pino
 * instrumentation uses. Done here explicitly so it also works when that instrumentation is off
 * (OTEL_SDK_DISABLED, unit tests); when it is on, both produce identical fields.
 */
function traceFields(): Record<string, string> {
  const spanContext = trace.getSpanContext(context.active());
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return {
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags: spanContext.traceFlags.toString(16).padStart(2, '0'),
  };
}

/** The one logger factory: JSON lines with `service`, trace correlation and redaction. */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const settings = {
    level,
    base: { service },
    mixin: traceFields,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

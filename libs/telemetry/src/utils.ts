import { diag, SpanStatusCode } from '@opentelemetry/api';
import type { Attributes, Exception, Span, TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import type { MessagingRole } from './internal-types';
import {
  ATTR_ERROR_TYPE,
  ATTR_FLOWSCOPE_FLOW_STYLE,
  ATTR_FLOWSCOPE_ORDER_ID,
  ATTR_FLOWSCOPE_SAGA_COMPENSATING,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  ERROR_TYPE_VALUE_OTHER,
  MESSAGING_SYSTEM_VALUE_NATS,
} from './semconv';
import type { HeaderCarrier, MessagingSpanAttributes } from './types';

/**
 * Finds the stored spelling of a header name. NATS keeps whatever case the publisher used
 * (`nats pub -H Traceparent:...`), while propagators ask for lower case.
 */
function findKey(carrier: HeaderCarrier, key: string): string | undefined {
  const wanted = key.toLowerCase();
  return carrier.keys().find((k) => k.toLowerCase() === wanted);
}

export const headerGetter: TextMapGetter<HeaderCarrier> = {
  keys: (carrier) => carrier.keys(),
  get(carrier, key) {
    const stored = findKey(carrier, key);
    // MsgHdrs returns '' for a missing key; the propagator API expects undefined.
    return stored === undefined ? undefined : carrier.get(stored) || undefined;
  },
};

export const headerSetter: TextMapSetter<HeaderCarrier> = {
  // Overwrite an existing header in whatever case it has, so a forwarded message never carries
  // two traceparent headers that disagree.
  set: (carrier, key, value) => carrier.set(findKey(carrier, key) ?? key, value),
};

/** Business attributes, leaving out the ones not given. */
export function businessAttributes(attrs: MessagingSpanAttributes): Attributes {
  const out: Attributes = {};
  if (attrs.messageId !== undefined) out[ATTR_MESSAGING_MESSAGE_ID] = attrs.messageId;
  if (attrs.orderId !== undefined) out[ATTR_FLOWSCOPE_ORDER_ID] = attrs.orderId;
  if (attrs.style !== undefined) out[ATTR_FLOWSCOPE_FLOW_STYLE] = attrs.style;
  if (attrs.compensating !== undefined) out[ATTR_FLOWSCOPE_SAGA_COMPENSATING] = attrs.compensating;
  if (attrs.consumerGroup !== undefined) out[ATTR_MESSAGING_CONSUMER_GROUP_NAME] = attrs.consumerGroup;
  return out;
}

export function messagingAttributes(subject: string, role: MessagingRole, attrs: MessagingSpanAttributes): Attributes {
  return {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_VALUE_NATS,
    [ATTR_MESSAGING_DESTINATION_NAME]: subject,
    [ATTR_MESSAGING_OPERATION_NAME]: role.operation,
    [ATTR_MESSAGING_OPERATION_TYPE]: role.operation,
    ...businessAttributes(attrs),
  };
}

/**
 * error.type: the stable `code` when the error has one (it survives a NATS hop, unlike the class),
 * otherwise the class name.
 */
export function errorType(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    // Optional chain: Object.create(null) errors have no constructor.
    const name = (err.constructor as { name?: string } | undefined)?.name;
    if (name) return name;
  }
  return ERROR_TYPE_VALUE_OTHER;
}

function toException(err: unknown): Exception {
  if (err instanceof Error) return err;
  return typeof err === 'string' ? err : String(err);
}

/** The error idiom (OpenTelemetry demo payment/charge.js); the caller rethrows. */
export function recordError(span: Span, err: unknown): void {
  safely('record error', () => {
    span.recordException(toException(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : undefined });
    span.setAttribute(ATTR_ERROR_TYPE, errorType(err));
  });
}

/** Runs telemetry plumbing; a failure there goes to the OTel diag log and is swallowed. */
export function safely(what: string, fn: () => void): void;
export function safely<T>(what: string, fn: () => T, fallback: T): T;
export function safely<T>(what: string, fn: () => T, fallback?: T): T | undefined {
  try {
    return fn();
  } catch (err) {
    diag.warn(`@flowscope/telemetry: ${what} failed`, err);
    return fallback;
  }
}

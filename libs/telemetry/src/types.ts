import type { DestinationStream } from 'pino';

/**
 * Message headers as seen by the propagator. Structurally compatible with nats v2 `MsgHdrs`
 * (`headers()` from 'nats'), so business code passes those directly; any other map-like
 * carrier works too. `get` returns '' for a missing key, as `MsgHdrs` does.
 */
export interface HeaderCarrier {
  get(key: string): string;
  set(key: string, value: string): void;
  keys(): string[];
}

/** Optional span attributes; undefined ones are left off the span. */
export interface MessagingSpanAttributes {
  /** messaging.message.id */
  messageId?: string;
  /** flowscope.order.id */
  orderId?: string;
  /** flowscope.flow.style (choreography / orchestration) */
  style?: string;
  /** flowscope.saga.compensating */
  compensating?: boolean;
  /** messaging.consumer.group.name: durable consumer name or queue group */
  consumerGroup?: string;
}

/** How a CONSUMER or SERVER span starts when the message carries no trace context. */
export interface IncomingSpanOptions {
  /**
   * A business key (the orderId): messages without trace context that share it land in one trace,
   * whose id is derived from the key, instead of one new root trace per consuming service.
   */
  traceSeed?: string;
}

export interface LoggerOptions {
  /** Defaults to env LOG_LEVEL, then 'info'. */
  level?: string;
  /** Where JSON lines go; defaults to stdout. Tests pass a stream here. */
  destination?: DestinationStream;
}

export interface TelemetryModuleOptions {
  /** Written as `service` on every log line. */
  service: string;
}

import type { SpanKind } from '@opentelemetry/api';

/** How a span relates to the message: fixes its kind, name and messaging.operation.* values. */
export interface MessagingRole {
  kind: SpanKind;
  operation: 'send' | 'process';
  spanName(subject: string): string;
}

/** SDK lifecycle, kept on globalThis so two copies of this module (ts-node, jest, dist) agree. */
export interface TelemetryState {
  sdk?: { shutdown(): Promise<void> };
  shutdown?: Promise<void>;
}

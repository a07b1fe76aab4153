import { createHash } from 'node:crypto';
import {
  context,
  diag,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  propagation,
  SpanKind,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import type { Context, Link, Span, SpanContext, SpanOptions } from '@opentelemetry/api';
import type { MessagingRole } from './internal-types';
import type { HeaderCarrier, IncomingSpanOptions, MessagingSpanAttributes } from './types';
import { businessAttributes, headerGetter, headerSetter, messagingAttributes, recordError, safely } from './utils';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version';

type SpanBody<T> = (span: Span) => Promise<T>;

// Span names and kinds from ARCHITECTURE.md "Telemetry conventions".
const PRODUCER: MessagingRole = { kind: SpanKind.PRODUCER, operation: 'send', spanName: (s) => `send ${s}` };
const CONSUMER: MessagingRole = { kind: SpanKind.CONSUMER, operation: 'process', spanName: (s) => `process ${s}` };
const CLIENT: MessagingRole = { kind: SpanKind.CLIENT, operation: 'send', spanName: (s) => s };
const SERVER: MessagingRole = { kind: SpanKind.SERVER, operation: 'process', spanName: (s) => s };

// Handed to fn when the tracer itself fails, so business code always gets a usable Span.
const NOOP_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** PRODUCER span `send <subject>`; its context is injected into `headers` before fn runs. */
export function withProducerSpan<T>(
  subject: string,
  headers: HeaderCarrier,
  attrs: MessagingSpanAttributes,
  fn: SpanBody<T>,
): Promise<T> {
  return outgoing(PRODUCER, subject, headers, attrs, fn);
}

/** CONSUMER span `process <subject>`: child of the producer found in `headers`, and linked to it. */
export function withConsumerSpan<T>(
  subject: string,
  headers: HeaderCarrier | undefined,
  attrs: MessagingSpanAttributes,
  fn: SpanBody<T>,
  options: IncomingSpanOptions = {},
): Promise<T> {
  return incoming(CONSUMER, subject, headers, attrs, fn, options);
}

/** CLIENT span `<subject>` around a request/reply call; injects its context into `headers`. */
export function withClientSpan<T>(
  subject: string,
  headers: HeaderCarrier,
  attrs: MessagingSpanAttributes,
  fn: SpanBody<T>,
): Promise<T> {
  return outgoing(CLIENT, subject, headers, attrs, fn);
}

/** SERVER span `<subject>` around handling a request: child of the caller, and linked to it. */
export function withServerSpan<T>(
  subject: string,
  headers: HeaderCarrier | undefined,
  attrs: MessagingSpanAttributes,
  fn: SpanBody<T>,
  options: IncomingSpanOptions = {},
): Promise<T> {
  return incoming(SERVER, subject, headers, attrs, fn, options);
}

/** INTERNAL span around one business step (STYLE.md: spans only around business steps). */
export function withBusinessSpan<T>(name: string, attrs: MessagingSpanAttributes, fn: SpanBody<T>): Promise<T> {
  const parent = context.active();
  const span = startSpan(name, { kind: SpanKind.INTERNAL, attributes: businessAttributes(attrs) }, parent);
  return runInSpan(span, setSpan(parent, span), fn);
}

/** Writes the active trace context (W3C traceparent/tracestate by default) into `headers`. */
export function injectTraceContext(headers: HeaderCarrier): void {
  safely('inject trace context', () => propagation.inject(context.active(), headers, headerSetter));
}

/** Trace id of the active span, e.g. to return to an HTTP caller or attach as an exemplar. */
export function activeTraceId(): string | undefined {
  const spanContext = trace.getSpanContext(context.active());
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

function outgoing<T>(
  role: MessagingRole,
  subject: string,
  headers: HeaderCarrier,
  attrs: MessagingSpanAttributes,
  fn: SpanBody<T>,
): Promise<T> {
  const parent = context.active();
  const attributes = messagingAttributes(subject, role, attrs);
  const span = startSpan(role.spanName(subject), { kind: role.kind, attributes }, parent);
  const spanCtx = setSpan(parent, span);
  safely('inject trace context', () => propagation.inject(spanCtx, headers, headerSetter));
  return runInSpan(span, spanCtx, fn);
}

function incoming<T>(
  role: MessagingRole,
  subject: string,
  headers: HeaderCarrier | undefined,
  attrs: MessagingSpanAttributes,
  fn: SpanBody<T>,
  options: IncomingSpanOptions,
): Promise<T> {
  const extracted = extractParent(context.active(), headers);
  const { parent, remote } =
    !extracted.remote && options.traceSeed ? seededParent(extracted.parent, options.traceSeed) : extracted;
  // The link keeps the producer reachable even if a later hop re-parents or batches (messaging semconv).
  const links: Link[] = remote ? [{ context: remote }] : [];
  const attributes = messagingAttributes(subject, role, attrs);
  const span = startSpan(role.spanName(subject), { kind: role.kind, attributes, links }, parent);
  return runInSpan(span, setSpan(parent, span), fn);
}

/** The context carried by `headers` when it holds a valid span context, else the active one. */
function extractParent(active: Context, headers: HeaderCarrier | undefined): { parent: Context; remote?: SpanContext } {
  if (!headers) return { parent: active };
  const extracted = safely('extract trace context', () => propagation.extract(active, headers, headerGetter), active);
  const remote = trace.getSpanContext(extracted);
  // extract() hands `active` back untouched when the headers carry nothing usable; comparing by
  // identity keeps us from linking to our own local parent.
  if (!remote || remote === trace.getSpanContext(active) || !isSpanContextValid(remote)) return { parent: active };
  return { parent: extracted, remote };
}

/**
 * A message published without trace context (`nats pub` from a terminal) would start one root trace
 * per consumer. Deriving the trace id from a business key instead puts every service's span for it
 * into one trace. The synthetic parent exists in no backend, so it is not linked.
 */
function seededParent(active: Context, seed: string): { parent: Context; remote?: SpanContext } {
  const spanContext: SpanContext = { ...seededTraceContext(seed), traceFlags: TraceFlags.SAMPLED, isRemote: true };
  return { parent: trace.setSpanContext(active, spanContext) };
}

/** The trace id (and synthetic parent span id) that messages without trace context get for `seed`. */
export function seededTraceContext(seed: string): { traceId: string; spanId: string } {
  const hash = (prefix: string) => createHash('sha256').update(`${prefix}/${seed}`).digest('hex');
  return { traceId: hash('flowscope-trace').slice(0, 32), spanId: hash('flowscope-span').slice(0, 16) };
}

function startSpan(name: string, options: SpanOptions, parent: Context): Span {
  // getTracer per call: cheap (the provider caches) and picks up a provider registered after import.
  const start = (): Span => trace.getTracer(PACKAGE_NAME, PACKAGE_VERSION).startSpan(name, options, parent);
  return safely('start span', start, NOOP_SPAN);
}

function setSpan(parent: Context, span: Span): Context {
  return safely('set span', () => trace.setSpan(parent, span), parent);
}

/** Runs fn inside `spanCtx`; on failure applies the error idiom and rethrows fn's own error. */
async function runInSpan<T>(span: Span, spanCtx: Context, fn: SpanBody<T>): Promise<T> {
  try {
    return await callWithin(spanCtx, span, fn);
  } catch (err) {
    recordError(span, err);
    throw err;
  } finally {
    safely('end span', () => span.end());
  }
}

/** context.with(), except that a broken context manager still lets fn run (just untraced). */
function callWithin<T>(ctx: Context, span: Span, fn: SpanBody<T>): Promise<T> {
  let called = false;
  const body = (): Promise<T> => {
    called = true;
    return fn(span);
  };
  try {
    return context.with(ctx, body);
  } catch (err) {
    if (called) throw err;
    diag.warn('@flowscope/telemetry: context manager failed; running without span context', err);
    return fn(span);
  }
}

/** The active trace context as plain headers, to store with long-running work (a saga) and resume later. */
export function captureTraceContext(): Record<string, string> {
  const carrier: Record<string, string> = {};
  safely('inject trace context', () => propagation.inject(context.active(), carrier));
  return carrier;
}

/** Runs fn inside a trace context captured by {@link captureTraceContext} (a no-op when empty). */
export function withTraceContext<T>(carrier: Record<string, string> | undefined, fn: () => Promise<T>): Promise<T> {
  const ctx = safely(
    'extract trace context',
    () => propagation.extract(context.active(), carrier ?? {}),
    context.active(),
  );
  return context.with(ctx, fn);
}

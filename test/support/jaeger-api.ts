// Typed helpers over Jaeger's v1 JSON query API (GET /api/traces...), the shape the Jaeger UI reads.
// OTLP -> v1 conversion (collector-contrib pkg/translator/jaeger, used by Jaeger v1.76.0) is lossy:
// - a span's parent becomes a CHILD_OF reference, each OTLP link a FOLLOWS_FROM reference;
// - but a link to the span's own parent is merged into that single reference, which becomes
//   FOLLOWS_FROM: a consumer span that is the child of its producer AND links to it shows one
//   FOLLOWS_FROM reference and no CHILD_OF. Link attributes are dropped.
// When the exact parent/link distinction matters, use jaeger-otlp-api.ts (API v3, OTLP JSON).
import { httpJson, waitFor, WaitTimeoutError } from '../../deploy/launch/probe';

/** A tag or log field. */
export interface JaegerKeyValue {
  key: string;
  type: 'string' | 'bool' | 'int64' | 'float64' | 'binary';
  value: string | number | boolean;
}

/** A reference to another span: the parent (CHILD_OF) or a link (FOLLOWS_FROM). */
export interface JaegerReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}

/** A span event. `timestamp` is in microseconds. */
export interface JaegerLog {
  timestamp: number;
  fields: JaegerKeyValue[];
}

/** A span as the v1 API returns it (times in microseconds). */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: JaegerReference[] | null;
  startTime: number;
  duration: number;
  tags: JaegerKeyValue[] | null;
  logs: JaegerLog[] | null;
  processID: string;
  warnings: string[] | null;
  flags?: number;
}

/** The emitting process: `serviceName` comes from the OTLP resource's `service.name`. */
export interface JaegerProcess {
  serviceName: string;
  tags: JaegerKeyValue[] | null;
}

/** A trace: spans plus the processes they reference by `processID`. */
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, JaegerProcess>;
  warnings: string[] | null;
}

/** A span with its service name resolved from the trace's processes. */
export type ResolvedSpan = JaegerSpan & { serviceName: string };

interface JaegerResponse<T> {
  data: T | null;
  errors: { code: number; msg: string }[] | null;
}

/** The trace with that id, or undefined while Jaeger does not have it (404). */
export async function getTrace(queryUrl: string, traceId: string): Promise<JaegerTrace | undefined> {
  const res = await httpJson<JaegerResponse<JaegerTrace[]>>(`${queryUrl}/api/traces/${traceId}`);
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET /api/traces/${traceId}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data?.[0];
}

/** Search criteria of {@link findTraces}. */
export interface FindTracesQuery {
  service: string;
  operation?: string;
  /** Span tags that must all match (string values). */
  tags?: Record<string, string>;
  /** How far back to search (default 1 h). */
  lookbackMs?: number;
  /** Maximum number of traces (default 100). */
  limit?: number;
}

/** Traces of `service` matching the query, newest first as Jaeger orders them. */
export async function findTraces(queryUrl: string, query: FindTracesQuery): Promise<JaegerTrace[]> {
  const nowUs = Date.now() * 1000;
  const params = new URLSearchParams({
    service: query.service,
    start: String(nowUs - (query.lookbackMs ?? 3_600_000) * 1000),
    end: String(nowUs + 60_000_000), // a minute of slack for spans stamped slightly ahead
    limit: String(query.limit ?? 100),
  });
  if (query.operation !== undefined) params.set('operation', query.operation);
  if (query.tags !== undefined) params.set('tags', JSON.stringify(query.tags));
  const res = await httpJson<JaegerResponse<JaegerTrace[]>>(`${queryUrl}/api/traces?${params.toString()}`);
  if (res.status !== 200)
    throw new Error(`GET /api/traces?${params.toString()}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data ?? [];
}

/** Service names Jaeger knows. */
export async function getServices(queryUrl: string): Promise<string[]> {
  const res = await httpJson<JaegerResponse<string[]>>(`${queryUrl}/api/services`);
  if (res.status !== 200) throw new Error(`GET /api/services: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data ?? [];
}

/**
 * Polls until the trace exists and `predicate` holds (spans arrive over time and in batches),
 * then returns it. On timeout the error lists what the trace held at the last poll.
 */
export async function waitForTrace(
  queryUrl: string,
  traceId: string,
  predicate: (trace: JaegerTrace) => boolean,
  timeoutMs = 30_000,
): Promise<JaegerTrace> {
  let last: JaegerTrace | undefined;
  try {
    return await waitFor(
      async () => {
        last = await getTrace(queryUrl, traceId);
        return last !== undefined && predicate(last) && last;
      },
      { timeoutMs, intervalMs: 200, what: `trace ${traceId} in Jaeger to satisfy the predicate` },
    );
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    throw new Error(`${error.message}\nlast seen: ${last ? describeTrace(last) : 'no such trace'}`, { cause: error });
  }
}

/** One line per span (service, operation, kind, parent, links): for assertion messages. */
export function describeTrace(trace: JaegerTrace): string {
  return spansOf(trace)
    .map((s) => {
      const kind = spanKind(s) ?? '-';
      const linked = links(s)
        .map((l) => l.spanID)
        .join(',');
      return `  ${s.spanID} ${s.serviceName} "${s.operationName}" ${kind} parent=${parentSpanId(s) ?? '-'} links=[${linked}]`;
    })
    .join('\n');
}

/** The trace's spans with `serviceName` resolved from `processes`. */
export function spansOf(trace: JaegerTrace): ResolvedSpan[] {
  return trace.spans.map((span) => ({
    ...span,
    serviceName: trace.processes[span.processID]?.serviceName ?? '<unknown process>',
  }));
}

/** A tag's value, or undefined when the span has no such tag. */
export function tag(span: JaegerSpan, key: string): string | number | boolean | undefined {
  return span.tags?.find((t) => t.key === key)?.value;
}

/** The parent span id (CHILD_OF reference). See the file header for when a parent shows as FOLLOWS_FROM. */
export function parentSpanId(span: JaegerSpan): string | undefined {
  return span.references?.find((r) => r.refType === 'CHILD_OF')?.spanID;
}

/** The span's links: its FOLLOWS_FROM references (OTLP links without an `opentracing.ref_type`). */
export function links(span: JaegerSpan): JaegerReference[] {
  return span.references?.filter((r) => r.refType === 'FOLLOWS_FROM') ?? [];
}

/** OTel span kind from the `span.kind` tag: server, client, producer, consumer or internal. */
export function spanKind(span: JaegerSpan): string | undefined {
  const kind = tag(span, 'span.kind');
  return typeof kind === 'string' ? kind : undefined;
}

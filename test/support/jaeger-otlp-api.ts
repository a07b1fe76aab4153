// Jaeger's API v3 (GET /api/v3/traces/{id}) returns the stored trace as OTLP JSON, without the v1
// API's losses: parentSpanId and links stay distinct (a consumer span that is the child of its
// producer and links to it shows both) and links keep their attributes. Ids are lowercase hex.
import { httpJson, waitFor, WaitTimeoutError } from '../../deploy/launch/probe';

/** An OTLP JSON attribute value (64-bit integers arrive as strings). */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  bytesValue?: string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
}

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

export interface OtlpLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes?: OtlpKeyValue[];
}

export interface OtlpEvent {
  timeUnixNano: string;
  name: string;
  attributes?: OtlpKeyValue[];
}

/** An OTLP span; `kind`: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: OtlpKeyValue[];
  events?: OtlpEvent[];
  links?: OtlpLink[];
  status?: { code?: number; message?: string };
}

interface OtlpResourceSpans {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeSpans?: { scope?: { name?: string; version?: string }; spans?: OtlpSpan[] }[];
}

/** A span with its resource's `service.name` and its instrumentation scope name. */
export type OtlpResolvedSpan = OtlpSpan & { serviceName: string; scopeName: string | undefined };

/** The trace's spans (flattened across resources and scopes), or undefined while Jaeger lacks it. */
export async function getTraceOtlp(queryUrl: string, traceId: string): Promise<OtlpResolvedSpan[] | undefined> {
  const res = await httpJson<{ result?: { resourceSpans?: OtlpResourceSpans[] } }>(
    `${queryUrl}/api/v3/traces/${traceId}`,
  );
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET /api/v3/traces/${traceId}: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body.result?.resourceSpans ?? []).flatMap((rs) => {
    const serviceName = String(attrValue(rs.resource?.attributes, 'service.name') ?? '<no service.name>');
    return (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((span) => ({ ...span, serviceName, scopeName: ss.scope?.name })),
    );
  });
}

/** Polls until the trace exists and `predicate` holds over its spans, then returns them. */
export async function waitForTraceOtlp(
  queryUrl: string,
  traceId: string,
  predicate: (spans: OtlpResolvedSpan[]) => boolean,
  timeoutMs = 30_000,
): Promise<OtlpResolvedSpan[]> {
  let last: OtlpResolvedSpan[] | undefined;
  try {
    return await waitFor(
      async () => {
        last = await getTraceOtlp(queryUrl, traceId);
        return last !== undefined && predicate(last) && last;
      },
      { timeoutMs, intervalMs: 200, what: `trace ${traceId} (API v3) to satisfy the predicate` },
    );
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    const seen = last?.map(
      (s) => `  ${s.spanId} ${s.serviceName} "${s.name}" ${otlpSpanKind(s)} parent=${s.parentSpanId ?? '-'}`,
    );
    throw new Error(`${error.message}\nlast seen:\n${seen?.join('\n') ?? 'no such trace'}`, { cause: error });
  }
}

/** An attribute's value as a JS scalar (int64 as number), or undefined when absent. */
export function attrValue(attributes: OtlpKeyValue[] | undefined, key: string): string | number | boolean | undefined {
  const value = attributes?.find((a) => a.key === key)?.value;
  if (value === undefined) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  return value.bytesValue;
}

/** A span attribute's value. */
export function otlpAttr(span: OtlpSpan, key: string): string | number | boolean | undefined {
  return attrValue(span.attributes, key);
}

const KIND_NAMES = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;

/** The span kind as a word, as the v1 API's `span.kind` tag spells it. */
export function otlpSpanKind(span: OtlpSpan): (typeof KIND_NAMES)[number] {
  return KIND_NAMES[span.kind ?? 0] ?? 'unspecified';
}

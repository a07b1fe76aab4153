// The part of OTLP JSON that Jaeger's API v3 (`GET /api/v3/traces/{id}`) returns and the console
// reads. Ids are lowercase hex; 64-bit integers (times) arrive as strings.

export interface OtlpValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
}

export interface OtlpAttribute {
  key: string;
  value?: OtlpValue;
}

/** `kind`: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. `status.code` 2 is an error. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: OtlpAttribute[];
  links?: { traceId: string; spanId: string }[];
  status?: { code?: number; message?: string };
}

export interface OtlpTraceResponse {
  result?: {
    resourceSpans?: {
      resource?: { attributes?: OtlpAttribute[] };
      scopeSpans?: { spans?: OtlpSpan[] }[];
    }[];
  };
}

export function attribute(attributes: OtlpAttribute[] | undefined, key: string): string | undefined {
  const value = attributes?.find((a) => a.key === key)?.value;
  if (!value) return undefined;
  const scalar = value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue;
  return scalar === undefined ? undefined : String(scalar);
}

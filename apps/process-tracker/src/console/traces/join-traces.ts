// Jaeger API v3 responses → one timeline with edges. Pure: Jaeger's own UI lays out one trace at a
// time and draws no link-based hops; a flow may span several traces joined only by links.
import type { JoinedTimeline, SpanKindName, TimelineEdge, TimelineSpan } from './joined-timeline';
import { attribute, type OtlpSpan, type OtlpTraceResponse } from './otlp';

/** One trace the flow touched, as Jaeger answered: null when Jaeger does not have it. */
export interface FetchedTrace {
  traceId: string;
  response: OtlpTraceResponse | null;
}

const KINDS: SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const ERROR_STATUS = 2;

interface RawSpan {
  span: OtlpSpan;
  service: string;
  startNs: bigint;
  endNs: bigint;
}

const idOf = (traceId: string, spanId: string) => `${traceId.toLowerCase()}:${spanId.toLowerCase()}`;

export function joinTraces(fetched: readonly FetchedTrace[]): JoinedTimeline {
  const raw = new Map<string, RawSpan>();
  const traces = fetched.map(({ traceId, response }) => {
    const spans = response ? spansOf(response) : [];
    for (const s of spans) raw.set(idOf(s.span.traceId, s.span.spanId), s);
    return { traceId, state: response ? ('found' as const) : ('missing' as const), spanCount: spans.length };
  });
  const ordered = [...raw.values()].sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  const origin = ordered[0]?.startNs ?? 0n;
  const end = ordered.reduce((max, s) => (s.endNs > max ? s.endNs : max), origin);
  const spans = ordered.map((s) => timelineSpan(s, origin, raw));
  const { edges, missing } = edgesOf(ordered, spans, raw);
  return {
    startedAt: Number(origin / 1_000_000n),
    durationMs: nsToMs(end - origin),
    services: [...new Set(spans.map((s) => s.service))],
    spans,
    edges,
    traces,
    missingSpans: missing + spans.filter((s) => s.parentMissing).length,
  };
}

function spansOf(response: OtlpTraceResponse): RawSpan[] {
  return (response.result?.resourceSpans ?? []).flatMap((rs) => {
    const service = attribute(rs.resource?.attributes, 'service.name') ?? 'unknown service';
    return (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((span) => ({
        span,
        service,
        startNs: BigInt(span.startTimeUnixNano),
        endNs: BigInt(span.endTimeUnixNano),
      })),
    );
  });
}

function timelineSpan(s: RawSpan, origin: bigint, all: Map<string, RawSpan>): TimelineSpan {
  const { span } = s;
  const parentId = span.parentSpanId ? idOf(span.traceId, span.parentSpanId) : null;
  const error = span.status?.code === ERROR_STATUS;
  return {
    id: idOf(span.traceId, span.spanId),
    traceId: span.traceId.toLowerCase(),
    spanId: span.spanId.toLowerCase(),
    service: s.service,
    name: span.name,
    kind: KINDS[span.kind ?? 0] ?? 'unspecified',
    startMs: nsToMs(s.startNs - origin),
    durationMs: nsToMs(s.endNs - s.startNs),
    error,
    errorMessage: error ? span.status?.message || attribute(span.attributes, 'error.type') || null : null,
    parentId: parentId && all.has(parentId) ? parentId : null,
    parentMissing: parentId !== null && !all.has(parentId),
    messageId: attribute(span.attributes, 'messaging.message.id') ?? null,
  };
}

/**
 * A hop is drawn wherever a span's parent or link runs in another service, or is a producer or
 * client (a consumer both child of and linked to its producer gives one edge via both).
 */
function edgesOf(ordered: RawSpan[], spans: TimelineSpan[], all: Map<string, RawSpan>) {
  const byId = new Map(spans.map((s) => [s.id, s]));
  const edges = new Map<string, TimelineEdge>();
  let missing = 0;
  const add = (from: TimelineSpan, to: TimelineSpan, via: 'parent' | 'link') => {
    const id = `${from.id}>${to.id}`;
    const known = edges.get(id);
    if (known) return void (known.via.includes(via) || known.via.push(via));
    if (via === 'parent' && from.service === to.service && from.kind !== 'producer' && from.kind !== 'client') return;
    const async = from.kind === 'producer' && to.kind === 'consumer';
    edges.set(id, {
      from: from.id,
      to: to.id,
      via: [via],
      async,
      waitedMs: async ? to.startMs - from.startMs : null,
      subject: subjectOf(all.get(to.id)!.span),
    });
  };
  for (const s of ordered) {
    const to = byId.get(idOf(s.span.traceId, s.span.spanId))!;
    if (to.parentId) add(byId.get(to.parentId)!, to, 'parent');
    for (const link of s.span.links ?? []) {
      const from = byId.get(idOf(link.traceId, link.spanId));
      if (from) add(from, to, 'link');
      else missing++;
    }
  }
  return { edges: [...edges.values()], missing };
}

function subjectOf(span: OtlpSpan): string | null {
  return attribute(span.attributes, 'messaging.destination.name') ?? null;
}

const nsToMs = (ns: bigint) => Number(ns / 1000n) / 1000;

// What the console draws for a flow's traces: every span of every trace it touched on one time
// axis, and the hops between them. Shared by the tracker (which builds it) and the browser.

export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer' | 'unspecified';

export interface TimelineSpan {
  /** `<traceId>:<spanId>`: unique across the flow's traces. */
  id: string;
  traceId: string;
  spanId: string;
  service: string;
  name: string;
  kind: SpanKindName;
  /** Milliseconds from the timeline's start. */
  startMs: number;
  durationMs: number;
  error: boolean;
  /** The span's status message or `error.type`, when it failed. */
  errorMessage: string | null;
  /** The parent's id when the parent is on the timeline, else null. */
  parentId: string | null;
  /** The span names a parent that none of the fetched traces holds. */
  parentMissing: boolean;
  /** `messaging.message.id`: the event or command it carried. */
  messageId: string | null;
}

/** A producer → consumer (or client → server) hop; `via` says how the consumer points at it. */
export interface TimelineEdge {
  from: string;
  to: string;
  via: ('parent' | 'link')[];
  /** Crosses NATS asynchronously (producer → consumer), rather than a request/reply or in-process call. */
  async: boolean;
  /** From `send` starting to `process` starting: how long the event waited in NATS (async hops only). */
  waitedMs: number | null;
  /** The subject, from the consumer's `messaging.destination.name` or its name. */
  subject: string | null;
}

export interface TimelineTrace {
  traceId: string;
  /** found: Jaeger has it; missing: Jaeger does not (not yet, sampled away, or expired). */
  state: 'found' | 'missing';
  spanCount: number;
}

export interface JoinedTimeline {
  /** Epoch milliseconds of the earliest span. */
  startedAt: number;
  durationMs: number;
  /** Services in the order they first appear. */
  services: string[];
  spans: TimelineSpan[];
  edges: TimelineEdge[];
  traces: TimelineTrace[];
  /** Links or parents naming spans none of the traces holds. */
  missingSpans: number;
}

/** What the tracker answers for a flow's traces: the timeline, or why there is none. */
export type FlowTraces =
  | { available: true; timeline: JoinedTimeline; links: TraceLinks[] }
  | { available: false; reason: string; traceIds: string[] };

/** Where a user who runs them opens one trace: Jaeger's UI and Grafana Explore (null: not configured). */
export interface TraceLinks {
  traceId: string;
  jaegerUi: string | null;
  grafana: string | null;
}

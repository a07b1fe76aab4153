import type { FlowDefinition, FlowStatus, FlowStyle } from '@flowscope/contracts';
import { evaluateFlow, TERMINAL, type StepView } from './evaluation/evaluate-flow';

/** An event as a flow instance keeps it. */
export interface TrackedEvent {
  id: string;
  type: string;
  at: string;
  traceId?: string;
  spanId?: string;
  /** Stream sequence of the message that brought it: tells a redelivery from a duplicate publication. */
  seq?: number;
}

/** A flow instance as stored in the KV bucket `flows` under `<definition>.<key>`. */
export interface FlowInstance {
  definition: string;
  key: string;
  style: FlowStyle;
  events: TrackedEvent[];
  duplicates: number;
  /** Written by trackers before `lastSeq`: the stream sequences of the duplicates counted. */
  duplicateSeqs?: number[];
  /** Status as of the last change; reads re-evaluate it against the clock. */
  status: FlowStatus;
  startedAt: string;
  endedAt?: string;
  lastEventAt: string;
  /** The flow was stalled before it reached a terminal status. */
  wasStalled?: boolean;
  /** Highest stream sequence applied to it: a delivery at or below it is a replay after a crash. */
  lastSeq?: number;
  /** The tracker replica whose checkpoint wrote it (tells its own write, whose ack was lost, from another's). */
  writer?: string;
}

/** What the lists filter and order on, without the events. */
export type FlowHeadline = Pick<FlowInstance, 'definition' | 'key' | 'style' | 'status' | 'startedAt' | 'lastEventAt'>;

export const headlineOf = (flow: FlowHeadline): FlowHeadline => ({
  definition: flow.definition,
  key: flow.key,
  style: flow.style,
  status: flow.status,
  startedAt: flow.startedAt,
  lastEventAt: flow.lastEventAt,
});

/** What `GET /flows/{definition}/{key}` returns (ARCHITECTURE.md "Process-tracker API"). */
export interface FlowView {
  definition: string;
  key: string;
  status: FlowStatus;
  style: FlowStyle;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  lastEventAt: string;
  steps: StepView[];
  events: { id: string; type: string; at: string; traceId: string | null }[];
  traceIds: string[];
  duplicates: number;
}

export const instanceKey = (definition: string, key: string) => `${definition}.${key}`;

/** The API's view of an instance, its status evaluated now. */
export function toView(instance: FlowInstance, def: FlowDefinition, now: Date): FlowView {
  const stored = instance.events;
  const evaluation = evaluateFlow(def, stored, now);
  // Kept in arrival order; shown in time order (a stable sort: events at one instant keep arrival order).
  const events = [...stored].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const endedAt = TERMINAL.has(evaluation.status) ? (evaluation.endedAt ?? null) : null;
  return {
    definition: instance.definition,
    key: instance.key,
    status: evaluation.status,
    style: instance.style,
    startedAt: instance.startedAt,
    endedAt,
    durationMs: endedAt ? Date.parse(endedAt) - Date.parse(instance.startedAt) : null,
    lastEventAt: instance.lastEventAt,
    steps: evaluation.steps,
    events: events.map((e) => ({ id: e.id, type: e.type, at: e.at, traceId: e.traceId ?? null })),
    traceIds: [...new Set(events.flatMap((e) => (e.traceId ? [e.traceId] : [])))],
    duplicates: instance.duplicates,
  };
}

/** The earliest event that carries a trace: the flow's own trace (its span's parent, its exemplar). */
export function firstTraced(events: readonly TrackedEvent[]): TrackedEvent | undefined {
  let first: TrackedEvent | undefined;
  for (const e of events) if (e.traceId && e.spanId && (!first || e.at < first.at)) first = e;
  return first;
}

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
  /** Stream sequences of the duplicates counted, so a redelivered duplicate is not counted twice. */
  duplicateSeqs?: number[];
  /** Status as of the last write; reads re-evaluate it against the clock. */
  status: FlowStatus;
  startedAt: string;
  endedAt?: string;
  lastEventAt: string;
  /** The flow was stalled before it reached a terminal status. */
  wasStalled?: boolean;
}

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

/**
 * Adds events to an instance (creating it); an event id seen before only counts as a duplicate.
 * Undefined when nothing changes (every message a redelivery): there is nothing to write.
 */
export function recordEvents(
  current: FlowInstance | undefined,
  def: FlowDefinition,
  key: string,
  events: TrackedEvent[],
  style: FlowStyle | undefined,
  now: Date,
): FlowInstance | undefined {
  const seen = new Set(current?.events.map((e) => e.id));
  // A message redelivered after a crash (persisted, not yet acked) has a sequence we already hold.
  const applied = new Set([...(current?.events ?? []).map((e) => e.seq), ...(current?.duplicateSeqs ?? [])]);
  const duplicateSeqs = [...(current?.duplicateSeqs ?? [])];
  let duplicates = current?.duplicates ?? 0;
  const all = [...(current?.events ?? [])];
  for (const event of events) {
    if (event.seq !== undefined && applied.has(event.seq)) continue;
    if (event.seq !== undefined) applied.add(event.seq);
    if (seen.has(event.id)) {
      duplicates++;
      if (event.seq !== undefined) duplicateSeqs.push(event.seq);
    } else {
      seen.add(event.id);
      all.push(event);
    }
  }
  if (current && all.length === current.events.length && duplicates === current.duplicates) return undefined;
  all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const evaluation = evaluateFlow(def, all, now);
  const wasStalled = current?.wasStalled || current?.status === 'stalled' || undefined;
  return {
    definition: def.name,
    key,
    style: current?.style === 'orchestration' || style === 'orchestration' ? 'orchestration' : 'choreography',
    events: all,
    duplicates,
    ...(duplicateSeqs.length ? { duplicateSeqs } : {}),
    status: evaluation.status,
    startedAt: all[0].at,
    ...(evaluation.endedAt ? { endedAt: evaluation.endedAt } : {}),
    lastEventAt: all[all.length - 1].at,
    ...(wasStalled ? { wasStalled } : {}),
  };
}

/** The API's view of an instance, its status evaluated now. */
export function toView(instance: FlowInstance, def: FlowDefinition, now: Date): FlowView {
  const evaluation = evaluateFlow(def, instance.events, now);
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
    events: instance.events.map((e) => ({ id: e.id, type: e.type, at: e.at, traceId: e.traceId ?? null })),
    traceIds: [...new Set(instance.events.flatMap((e) => (e.traceId ? [e.traceId] : [])))],
    duplicates: instance.duplicates,
  };
}

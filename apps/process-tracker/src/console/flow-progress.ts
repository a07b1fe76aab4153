// Where a flow stands, derived from its evaluated steps: pure, shared by the adapter (filters and
// counts) and the console's views. No clock: callers pass the status they evaluated.
import type { FlowDefinition, FlowStatus } from '@flowscope/contracts';
import type { StepView } from '../flows/evaluation/evaluate-flow';

const ENDED: ReadonlySet<FlowStatus> = new Set(['completed', 'failed', 'compensated']);

/**
 * The step an open flow waits for: while compensating, the first done step whose compensation is
 * missing; otherwise the first pending required step (or pending optional one). Null once ended.
 */
export function pendingStepOf(def: FlowDefinition, steps: readonly StepView[], status: FlowStatus): string | null {
  if (ENDED.has(status)) return null;
  if (status === 'compensating') {
    const uncompensated = steps.find((s, i) => s.status === 'done' && def.steps[i]?.compensatedBy?.length);
    if (uncompensated) return uncompensated.name;
  }
  const required = steps.find((s, i) => s.status === 'pending' && !def.steps[i]?.optional);
  return (required ?? steps.find((s) => s.status === 'pending'))?.name ?? null;
}

/** The step that failed, if one did. */
export function failedStepOf(steps: readonly StepView[]): string | null {
  return steps.find((s) => s.status === 'failed')?.name ?? null;
}

/** When the flow last moved forward: the latest step time, or its start. */
export function waitingSinceOf(steps: readonly StepView[], startedAt: string): string {
  return steps.reduce((latest, s) => (s.at && s.at > latest ? s.at : latest), startedAt);
}

/** Per event, what the list of events flags beside it. */
export interface EventNotes {
  /** Happened after the flow had already ended. */
  late: boolean;
  /** Arrived after an event that happened later than it (stream order differs from time order). */
  outOfOrder: boolean;
}

/** Notes for events sorted by time; `seq` is the stream sequence each arrived with (null: unknown). */
export function eventNotes(
  events: readonly { at: string; seq: number | null }[],
  endedAt: string | null,
): EventNotes[] {
  const notes = events.map((e) => ({ late: endedAt !== null && e.at > endedAt, outOfOrder: false }));
  let laterMinSeq = Infinity;
  for (let i = events.length - 1; i >= 0; i--) {
    const seq = events[i].seq;
    if (seq === null) continue;
    if (seq > laterMinSeq) notes[i].outOfOrder = true;
    laterMinSeq = Math.min(laterMinSeq, seq);
  }
  return notes;
}

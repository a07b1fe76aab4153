// Where a flow stands, derived from its evaluated steps: pure, shared by the adapter (filters and
// counts) and the console's views. No clock: callers pass the status they evaluated.
import type { StepView } from '../flows/evaluation/evaluate-flow';

export { pendingStepOf } from '../flows/evaluation/pending-step';

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

// What the console's API answers, besides the overview and the traces. Shared with the browser.
import type { FlowStatus, FlowStyle } from '@flowscope/contracts';
import type { ConsoleFlow } from './flow-queries';
import type { EventNotes } from './flow-progress';

/** One row of the flows list. */
export interface FlowRow {
  definition: string;
  key: string;
  style: FlowStyle;
  status: FlowStatus;
  startedAt: string;
  /** The step the flow waits for, null once ended. */
  pendingStep: string | null;
  /** Since when it has waited there: its latest step, or its start. */
  waitingSince: string;
  lastEvent: { type: string; at: string } | null;
}

export interface FlowRowPage {
  items: FlowRow[];
  next: string | null;
}

/** One flow's page. */
export interface FlowDetail {
  flow: ConsoleFlow;
  pendingStep: string | null;
  waitingSince: string;
  /** When the flow turns (or turned) stalled if it has not ended: start + SLA. */
  deadline: string;
  /** Per event (same order as flow.events): late, out of order. */
  notes: EventNotes[];
}

/** Every error the console's API answers with. */
export interface ConsoleError {
  error: string;
  message: string;
}

/** Query parameters of `GET /api/console/flows` (durations in seconds). */
export interface FlowListQuery {
  definition?: string;
  status?: string;
  style?: string;
  pendingStep?: string;
  /** Started at least this long ago. */
  olderThan?: string;
  /** Started at most this long ago. */
  newerThan?: string;
  /** No event for at least this long. */
  quietFor?: string;
  /** An event within this long. */
  activeWithin?: string;
  limit?: string;
  cursor?: string;
}

// Everything the console needs from the tracker, behind one interface: the tracker's state may be
// kept in any way (a KV copy today, partitioned in-memory state tomorrow) as long as an adapter
// answers these. Add to it; do not change what is here (the adapter is re-implemented elsewhere).
import type { FlowDefinition, FlowStatus, FlowStyle } from '@flowscope/contracts';
import type { FlowFilter } from '../flows/api/flow-list';
import type { FlowView } from '../flows/flow-instance';

/** A flow that has not ended: the statuses the overview counts per step. */
export type OpenStatus = 'running' | 'compensating' | 'stalled';
export const OPEN_STATUSES: readonly OpenStatus[] = ['running', 'compensating', 'stalled'];

/** One event of a flow as the console shows it. */
export type ConsoleEvent = FlowView['events'][number] & {
  /** Stream sequence it arrived with (arrival order), when the tracker kept it. */
  seq: number | null;
};

/** The API's FlowView, plus what only the console shows. */
export type ConsoleFlow = Omit<FlowView, 'events'> & {
  events: ConsoleEvent[];
  /** The definition's SLA: the flow is stalled once this has passed since `startedAt`. */
  timeoutMs: number;
};

/** Filters of the flows list (defined beside the list itself, which every replica runs). */
export type { FlowFilter };

/** A page of flows, newest (by start) first; `next` is the cursor of the following page or null. */
export interface FlowPage {
  items: ConsoleFlow[];
  next: string | null;
}

/** Open flows of one definition and style waiting at one step with one status. */
export interface OpenStepCount {
  definition: string;
  style: FlowStyle;
  /** First pending step; null when none is pending (e.g. only compensations missing). */
  step: string | null;
  status: OpenStatus;
  count: number;
}

/** A flow's status changed (or a flow appeared): what the console's live views and aggregates need. */
export interface FlowStatusChange {
  definition: string;
  key: string;
  style: FlowStyle;
  status: FlowStatus;
  /** Status before the change; null when the flow is new to this replica. */
  previous: FlowStatus | null;
  firstPendingStep: string | null;
  /** The step that failed, for failed, compensating and compensated flows. */
  failedStep: string | null;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
}

export type FlowStatusListener = (change: FlowStatusChange) => void;

/** What the console asks of the tracker. Inject it with the `FLOW_QUERIES` token. */
export interface FlowQueries {
  definitions(): readonly FlowDefinition[];
  /** One flow, its status evaluated now; undefined when unknown (or the definition is). */
  getFlow(definition: string, key: string): Promise<ConsoleFlow | undefined>;
  /** Flows matching every filter, newest first; `cursor` is a page's `next`. */
  listFlows(filter: FlowFilter, page: { limit: number; cursor?: string }): Promise<FlowPage>;
  /** Open flows now, per definition × style × first pending step × status. */
  openCounts(): Promise<OpenStepCount[]>;
  /**
   * Called on every status change this replica learns of (its own writes and other replicas'),
   * including a flow's first appearance (previous null). Returns the unsubscribe function.
   */
  onStatusChange(listener: FlowStatusListener): () => void;
}

export const FLOW_QUERIES = Symbol('FLOW_QUERIES');

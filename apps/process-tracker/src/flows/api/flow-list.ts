import type { FlowDefinition, FlowStatus, FlowStyle } from '@flowscope/contracts';
import { evaluateFlow, TERMINAL } from '../evaluation/evaluate-flow';
import { pendingStepOf } from '../evaluation/pending-step';
import type { FlowHeadline, FlowInstance } from '../flow-instance';

/** Filters of the flows list; every field optional, all of them must hold. */
export interface FlowFilter {
  definition?: string;
  status?: FlowStatus;
  style?: FlowStyle;
  /** The first step the flow still waits for (see `pendingStepOf`). */
  pendingStep?: string;
  /** Started at or before this time (ISO): "older than". */
  startedBefore?: string;
  /** Started at or after this time (ISO): "younger than". */
  startedAfter?: string;
  /** Last event at or before this time (ISO): "quiet since". */
  lastEventBefore?: string;
  /** Last event at or after this time (ISO): "active since". */
  lastEventAfter?: string;
}

/** A flow as a list sees it: what the filters need, and the whole instance on demand. */
export interface Listed extends FlowHeadline {
  instance(): FlowInstance;
}

/** A flow's place in the lists (newest first = greatest first); a page's cursor is the last one's. */
export const orderOf = (flow: Pick<Listed, 'startedAt' | 'definition' | 'key'>) =>
  `${flow.startedAt}|${flow.definition}|${flow.key}`;

/** Whether `flow` passes every filter; the ones that need no evaluation are tried first. */
export function matches(flow: Listed, filter: FlowFilter, def: FlowDefinition, now: Date): boolean {
  if (filter.definition && flow.definition !== filter.definition) return false;
  if (filter.style && flow.style !== filter.style) return false;
  if (filter.status && TERMINAL.has(filter.status) && flow.status !== filter.status) return false;
  if (filter.startedBefore && flow.startedAt > filter.startedBefore) return false;
  if (filter.startedAfter && flow.startedAt < filter.startedAfter) return false;
  if (filter.lastEventBefore && flow.lastEventAt > filter.lastEventBefore) return false;
  if (filter.lastEventAfter && flow.lastEventAt < filter.lastEventAfter) return false;
  if (!filter.status && !filter.pendingStep) return true;
  // An open flow's stored status may be behind the clock (running past its SLA is stalled now).
  const quick = TERMINAL.has(flow.status) || flow.status === 'stalled';
  if (filter.status && !filter.pendingStep && quick) return flow.status === filter.status;
  if (filter.status && !filter.pendingStep && Date.parse(flow.startedAt) + def.timeoutMs >= now.getTime())
    return flow.status === filter.status;
  const evaluation = evaluateFlow(def, flow.instance().events, now);
  if (filter.status && evaluation.status !== filter.status) return false;
  return !filter.pendingStep || pendingStepOf(def, evaluation.steps, evaluation.status) === filter.pendingStep;
}

/** The `size` entries with the greatest order keys seen, kept sorted (greatest first). */
export class NewestFirst<T> {
  private readonly entries: [string, T][] = [];

  constructor(private readonly size: number) {}

  /** Whether an entry with this order key would be kept (cheap test before any other work). */
  wants(order: string): boolean {
    return this.entries.length < this.size || order > this.entries[this.entries.length - 1][0];
  }

  add(order: string, item: T): void {
    if (!this.wants(order)) return;
    // Binary search for the first entry smaller than `order` (entries are in descending order).
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.entries[mid][0] > order) low = mid + 1;
      else high = mid;
    }
    if (this.entries[low]?.[0] === order) return; // the same flow from two replicas (a hand-over)
    this.entries.splice(low, 0, [order, item]);
    if (this.entries.length > this.size) this.entries.pop();
  }

  items(): readonly [string, T][] {
    return this.entries;
  }
}

import type { FlowInstance } from '../flow-instance';
import { TERMINAL } from '../evaluation/evaluate-flow';

export interface OpenCount {
  definition: string;
  style: string;
  /** Flows not terminal: running, compensating or stalled. */
  open: number;
  stalled: number;
}

/** What the index needs of a flow. */
export type FlowSummary = Pick<FlowInstance, 'definition' | 'style' | 'status' | 'startedAt'>;

/** A flow's summary now, taken before a change (the flow itself is changed in place). */
export const summaryOf = ({ definition, style, status, startedAt }: FlowSummary): FlowSummary => ({
  definition,
  style,
  status,
  startedAt,
});

interface Due {
  startedAt: number;
  key: string;
}

/**
 * What the stall sweep needs without walking every flow: counts of open and stalled flows per
 * definition and style, kept up to date on every change, and per definition a min-heap of open flows
 * by start time (a flow's deadline is its start plus its definition's SLA, so the heap's top is the
 * next flow due). Heap entries are checked against the flow when they come due, so a flow whose
 * start moved earlier (a late, earlier event) simply has a second entry.
 */
export class OpenFlowIndex {
  private readonly counts = new Map<string, OpenCount>();
  private readonly heaps = new Map<string, Due[]>();

  /** Records that the flow stored under `key` changed from `before` to `after` (undefined: deleted). */
  track(key: string, before: FlowSummary | undefined, after: FlowSummary | undefined): void {
    // Most events leave a flow where it was counted (running before and after): nothing to move.
    const moved =
      !before ||
      !after ||
      before.status !== after.status ||
      before.style !== after.style ||
      before.definition !== after.definition;
    if (moved && before) this.count(before, -1);
    if (moved && after) this.count(after, +1);
    if (after && isWaiting(after) && (!before || !isWaiting(before) || before.startedAt !== after.startedAt))
      this.requeue(key, after);
  }

  /** Puts a flow (back) on its definition's heap, e.g. after a failed attempt to mark it stalled. */
  requeue(key: string, flow: FlowSummary): void {
    const heap = this.heaps.get(flow.definition) ?? [];
    this.heaps.set(flow.definition, heap);
    push(heap, { startedAt: Date.parse(flow.startedAt), key });
  }

  openCounts(): IterableIterator<OpenCount> {
    return this.counts.values();
  }

  /**
   * Takes the keys of flows of `definition` started before `startedBefore` (ms) off the index: the
   * candidates to mark stalled. The caller checks each against its current state.
   */
  takeDue(definition: string, startedBefore: number): string[] {
    const heap = this.heaps.get(definition);
    const due: string[] = [];
    while (heap && heap.length > 0 && heap[0].startedAt < startedBefore) due.push(pop(heap).key);
    return due;
  }

  private count(flow: FlowSummary, delta: number): void {
    if (TERMINAL.has(flow.status)) return;
    const id = `${flow.definition}|${flow.style}`;
    const count = this.counts.get(id) ?? { definition: flow.definition, style: flow.style, open: 0, stalled: 0 };
    this.counts.set(id, count);
    count.open += delta;
    if (flow.status === 'stalled') count.stalled += delta;
  }
}

/** Open and not yet stalled: a flow the sweep may have to mark. */
const isWaiting = (flow: FlowSummary) => !TERMINAL.has(flow.status) && flow.status !== 'stalled';

function push(heap: Due[], item: Due): void {
  heap.push(item);
  for (let i = heap.length - 1; i > 0;) {
    const parent = (i - 1) >> 1;
    if (heap[parent].startedAt <= heap[i].startedAt) break;
    [heap[parent], heap[i]] = [heap[i], heap[parent]];
    i = parent;
  }
}

function pop(heap: Due[]): Due {
  const top = heap[0];
  const last = heap.pop()!;
  if (heap.length > 0) {
    heap[0] = last;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && heap[left].startedAt < heap[least].startedAt) least = left;
      if (right < heap.length && heap[right].startedAt < heap[least].startedAt) least = right;
      if (least === i) break;
      [heap[least], heap[i]] = [heap[i], heap[least]];
      i = least;
    }
  }
  return top;
}

import type { FlowDefinition, FlowStatus, StepStatus } from '@flowscope/contracts';

/** An event as the evaluation needs it: its type and when it happened (ISO time). */
export interface SeenEvent {
  type: string;
  at: string;
}

export interface StepView {
  name: string;
  status: StepStatus;
  /** When the step reached its status (the earliest event that decided it). */
  at?: string;
}

export interface FlowEvaluation {
  status: FlowStatus;
  steps: StepView[];
  /** When the flow first reached the terminal status it has; undefined while not terminal. */
  endedAt?: string;
}

/** The earliest time of each event type seen (a Map is one; a flow in memory keeps a flatter one). */
export interface EarliestTimes {
  get(type: string): string | undefined;
  entries(): Iterable<readonly [string, string]>;
}

export const TERMINAL: ReadonlySet<FlowStatus> = new Set(['completed', 'failed', 'compensated']);

/**
 * The status of a flow instance: a pure function of the set of distinct events seen and the clock
 * (for `stalled`), never of their arrival order (ARCHITECTURE.md "Flow definitions").
 */
export function evaluateFlow(
  def: FlowDefinition,
  events: readonly SeenEvent[],
  now: Date,
  timeoutMs = def.timeoutMs,
): FlowEvaluation {
  return evaluateEarliest(def, earliestByType(events), now, timeoutMs);
}

/**
 * The same evaluation from what decides it: the earliest time of each event type seen. A flow that
 * keeps this map up to date as events arrive is evaluated in O(steps), however many events it has.
 * `start` is the flow's first event time when the caller holds it (else the map's earliest).
 */
export function evaluateEarliest(
  def: FlowDefinition,
  firstAt: EarliestTimes,
  now: Date,
  timeoutMs = def.timeoutMs,
  start?: string,
): FlowEvaluation {
  const steps = stepsOf(def, firstAt);
  const status = statusOf(def, steps);
  if (TERMINAL.has(status)) return { status, steps, endedAt: reachedAt(def, firstAt, status) };
  const first = start ?? [...firstAt.entries()].map(([, at]) => at).sort()[0];
  const stalled = first !== undefined && now.getTime() - Date.parse(first) > timeoutMs;
  return { status: stalled ? 'stalled' : status, steps };
}

function earliestByType(events: readonly SeenEvent[]): Map<string, string> {
  const firstAt = new Map<string, string>();
  for (const e of events) if (!firstAt.has(e.type) || e.at < firstAt.get(e.type)!) firstAt.set(e.type, e.at);
  return firstAt;
}

function stepsOf(def: FlowDefinition, firstAt: EarliestTimes): StepView[] {
  // Called for every event applied: plain loops, no intermediate arrays.
  const earliest = (types: readonly string[] | undefined) => {
    let min: string | undefined;
    for (const type of types ?? NONE) {
      const at = firstAt.get(type);
      if (at !== undefined && (min === undefined || at < min)) min = at;
    }
    return min;
  };
  return def.steps.map((step): StepView => {
    const done = earliest(step.done);
    const failed = earliest(step.failed);
    const compensated = done ? earliest(step.compensatedBy) : undefined;
    if (failed) return { name: step.name, status: 'failed', at: failed };
    if (compensated) return { name: step.name, status: 'compensated', at: compensated };
    if (done) return { name: step.name, status: 'done', at: done };
    return { name: step.name, status: 'pending' };
  });
}

const NONE: readonly string[] = [];

function statusOf(def: FlowDefinition, steps: StepView[]): FlowStatus {
  let failed = false;
  let finished = true;
  for (let i = 0; i < steps.length; i++) {
    const status = steps[i].status;
    if (status === 'failed') failed = true;
    else if (!def.steps[i].optional && status !== 'done' && status !== 'compensated') finished = false;
  }
  if (!failed) return finished ? 'completed' : 'running';
  // Done steps that can be compensated: none means nothing to undo (failed).
  let compensable = 0;
  let compensated = 0;
  for (let i = 0; i < steps.length; i++) {
    const status = steps[i].status;
    if ((status !== 'done' && status !== 'compensated') || !def.steps[i].compensatedBy?.length) continue;
    compensable++;
    if (status === 'compensated') compensated++;
  }
  if (compensable === 0) return 'failed';
  return compensated === compensable ? 'compensated' : 'compensating';
}

/** The earliest event time from which the events seen so far already gave `status`. */
function reachedAt(def: FlowDefinition, firstAt: EarliestTimes, status: FlowStatus): string | undefined {
  const byTime = [...firstAt.entries()].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const prefix = new Map<string, string>();
  for (let i = 0; i < byTime.length; i++) {
    const [type, at] = byTime[i];
    prefix.set(type, at);
    // Events at the same instant count together: only decide once every one of them is in.
    if (i + 1 < byTime.length && byTime[i + 1][1] === at) continue;
    if (statusOf(def, stepsOf(def, prefix)) === status) return at;
  }
  return undefined;
}

import type { FlowDefinition, FlowStatus, FlowStyle } from '@flowscope/contracts';
import { evaluateEarliest, TERMINAL, type FlowEvaluation } from '../evaluation/evaluate-flow';
import type { FlowInstance, TrackedEvent } from '../flow-instance';

/** What applying one delivered event did to its flow (the `outcome` label of the events counter). */
export type EventOutcome = 'accepted' | 'duplicate' | 'out_of_order' | 'late' | 'replayed';

/** Above this many events a flow keeps a set of its event ids; below, a scan is cheaper than the set. */
const ID_SET_FROM = 16;

/**
 * One flow instance in memory: what gets evaluated. Applying an event is O(1) in the flow's events
 * (a duplicate check, a push, one entry of the earliest-time-per-type map) and the status is then
 * evaluated from that map in O(steps): no sort, no re-evaluation of the history, no serialisation.
 * The stored shape is {@link FlowInstance}; `toJSON` gives it, `restore` reads it back.
 */
export class FlowState implements FlowInstance {
  style: FlowStyle = 'choreography';
  readonly events: TrackedEvent[] = [];
  duplicates = 0;
  status: FlowStatus = 'running';
  startedAt = '';
  endedAt?: string;
  lastEventAt = '';
  wasStalled?: boolean;
  /** Highest stream sequence applied (as an event or a duplicate): a replayed delivery is at or below it. */
  lastSeq = 0;
  /** Bumped by every change: a checkpoint knows whether the flow changed after it was serialised. */
  version = 0;
  /** The replica that checkpoints it (set by the checkpoint; stored with it). */
  writer?: string;
  /** KV revision of the flow's stored copy that this replica wrote or read (0: not stored). */
  revision = 0;
  /** The store's index of open flows lists this flow (set by the checkpoint that wrote it there). */
  listedOpen = false;
  private readonly firstAt = new Map<string, string>();
  private ids?: Set<string>;

  private constructor(
    readonly definition: string,
    readonly key: string,
  ) {}

  static create(definition: string, key: string): FlowState {
    return new FlowState(definition, key);
  }

  /** A flow as a checkpoint stored it. */
  static restore(stored: FlowInstance, revision = 0): FlowState {
    const flow = new FlowState(stored.definition, stored.key);
    flow.style = stored.style;
    flow.duplicates = stored.duplicates;
    flow.status = stored.status;
    flow.startedAt = stored.startedAt;
    flow.endedAt = stored.endedAt;
    flow.lastEventAt = stored.lastEventAt;
    flow.wasStalled = stored.wasStalled;
    let lastSeq = stored.lastSeq ?? 0;
    for (const e of stored.events) {
      flow.pushEvent(e);
      if (e.seq !== undefined && e.seq > lastSeq) lastSeq = e.seq;
    }
    // Instances written before lastSeq existed kept the sequences of their duplicates instead.
    for (const seq of stored.duplicateSeqs ?? []) if (seq > lastSeq) lastSeq = seq;
    flow.lastSeq = lastSeq;
    flow.revision = revision;
    return flow;
  }

  get ended(): boolean {
    return TERMINAL.has(this.status);
  }

  /**
   * Applies one delivered event. A delivery at or below `lastSeq` is a replay of one already applied
   * (after a crash, from the checkpoint's position) and changes nothing; an event id seen before only
   * counts as a duplicate. `now` is the clock for `stalled`.
   */
  apply(def: FlowDefinition, event: TrackedEvent, style: FlowStyle | undefined, now: Date): EventOutcome {
    if (event.seq !== undefined) {
      if (event.seq <= this.lastSeq) return 'replayed';
      this.lastSeq = event.seq;
    }
    if (style === 'orchestration') this.style = 'orchestration';
    this.version++;
    if (this.hasEvent(event.id)) {
      this.duplicates++;
      return 'duplicate';
    }
    const first = this.events.length === 0;
    const outcome: EventOutcome = first
      ? 'accepted'
      : this.ended
        ? 'late'
        : event.at < this.lastEventAt
          ? 'out_of_order'
          : 'accepted';
    this.pushEvent(event);
    if (first || event.at < this.startedAt) this.startedAt = event.at;
    if (first || event.at > this.lastEventAt) this.lastEventAt = event.at;
    this.settle(def, now);
    return outcome;
  }

  /** Marks the flow stalled when the clock alone has made it so; false when it is not (any more). */
  markStalled(def: FlowDefinition, now: Date): boolean {
    if (this.ended || this.status === 'stalled' || this.evaluate(def, now).status !== 'stalled') return false;
    this.status = 'stalled';
    this.wasStalled = true;
    this.version++;
    return true;
  }

  /** Status and steps now, from the earliest time of each event type. */
  evaluate(def: FlowDefinition, now: Date): FlowEvaluation {
    return evaluateEarliest(def, this.firstAt, now, def.timeoutMs, this.startedAt || undefined);
  }

  /** The stored shape (what a checkpoint writes, what the API's view is built from). */
  toJSON(): FlowInstance {
    return {
      definition: this.definition,
      key: this.key,
      style: this.style,
      events: this.events,
      duplicates: this.duplicates,
      status: this.status,
      startedAt: this.startedAt,
      ...(this.endedAt ? { endedAt: this.endedAt } : {}),
      lastEventAt: this.lastEventAt,
      ...(this.wasStalled ? { wasStalled: true } : {}),
      lastSeq: this.lastSeq,
      ...(this.writer ? { writer: this.writer } : {}),
    };
  }

  private settle(def: FlowDefinition, now: Date): void {
    const before = this.status;
    const evaluation = this.evaluate(def, now);
    if (before === 'stalled') this.wasStalled = true;
    this.status = evaluation.status;
    this.endedAt = evaluation.endedAt;
  }

  private hasEvent(id: string): boolean {
    if (this.ids) return this.ids.has(id);
    for (const e of this.events) if (e.id === id) return true;
    return false;
  }

  private pushEvent(event: TrackedEvent): void {
    this.events.push(event);
    const known = this.firstAt.get(event.type);
    if (known === undefined || event.at < known) this.firstAt.set(event.type, event.at);
    if (this.ids) this.ids.add(event.id);
    else if (this.events.length > ID_SET_FROM) this.ids = new Set(this.events.map((e) => e.id));
  }
}

import type { FlowDefinition, FlowStatus, FlowStyle } from '@flowscope/contracts';
import { evaluateEarliest, TERMINAL, type EarliestTimes, type FlowEvaluation } from '../evaluation/evaluate-flow';
import type { FlowInstance, TrackedEvent } from '../flow-instance';

/** What applying one delivered event did to its flow (the `outcome` label of the events counter). */
export type EventOutcome = 'accepted' | 'duplicate' | 'out_of_order' | 'late' | 'replayed';

/** Above this many events a flow keeps a set of its event ids; below, a scan is cheaper than the set. */
const ID_SET_FROM = 16;

/**
 * One flow instance in memory: what gets evaluated. Applying an event is O(1) in the flow's events
 * (a duplicate check, an append, one entry of the earliest time per type) and the status is then
 * evaluated from those times in O(steps): no sort, no re-evaluation of the history, no serialisation.
 *
 * Compact, since a tracker holds every open flow: the events are kept as the JSON the checkpoint
 * writes (one string, appended to; parsed only when the API, the console or the flow span asks for
 * them), the earliest times as a flat array of type/time pairs, and every field is set in the
 * constructor (so all of them live in the object itself). The stored shape is {@link FlowInstance};
 * `serialize` writes it, `toJSON` gives it as an object, `restore` reads it back.
 */
export class FlowState implements FlowInstance {
  style: FlowStyle = 'choreography';
  duplicates = 0;
  status: FlowStatus = 'running';
  startedAt = '';
  endedAt: string | undefined = undefined;
  lastEventAt = '';
  wasStalled: boolean | undefined = undefined;
  /** Highest stream sequence applied (as an event or a duplicate): a replayed delivery is at or below it. */
  lastSeq = 0;
  /** Bumped by every change: a checkpoint knows whether the flow changed after it was serialised. */
  version = 0;
  /** The replica that checkpoints it (set by the checkpoint; stored with it). */
  writer: string | undefined = undefined;
  /** KV revision of the flow's stored copy that this replica wrote or read (0: not stored). */
  revision = 0;
  /** The store's index of open flows lists this flow (set by the checkpoint that wrote it there). */
  listedOpen = false;
  /** Ended here and its flow span not emitted yet: the checkpoint that takes it emits it (not stored). */
  spanDue = false;
  /** The events in arrival order, as JSON objects separated by commas (the stored array's inside). */
  private packed = '';
  private count = 0;
  /** Earliest time per event type: type, time, type, time… (a few types: a scan beats a map). */
  private earliest: string[] = NO_TIMES;
  private ids: Set<string> | undefined = undefined;

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

  /** The events in arrival order (parsed from the compact form: for reads, not for the hot path). */
  get events(): TrackedEvent[] {
    return this.count === 0 ? [] : (JSON.parse(`[${this.packed}]`) as TrackedEvent[]);
  }

  get eventCount(): number {
    return this.count;
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
    const first = this.count === 0;
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

  /**
   * Status and steps now, from the earliest time of each event type. The last evaluation is kept
   * (one for the whole process): applying an event evaluates the flow, and its outputs and the
   * console ask again for the same version at once. Read-only: callers share it.
   */
  evaluate(def: FlowDefinition, now: Date): FlowEvaluation {
    const last = lastEvaluation;
    // A terminal status does not depend on the clock; any other may (stalled), so the clock must match.
    if (
      last.flow === this &&
      last.version === this.version &&
      last.def === def &&
      (TERMINAL.has(last.evaluation.status) || last.nowMs === now.getTime())
    )
      return last.evaluation;
    const evaluation = evaluateEarliest(
      def,
      new PairTimes(this.earliest),
      now,
      def.timeoutMs,
      this.startedAt || undefined,
    );
    lastEvaluation = { flow: this, version: this.version, def, nowMs: now.getTime(), evaluation };
    return evaluation;
  }

  /** The stored shape as JSON, what a checkpoint writes (the events as they are kept: no re-serialisation). */
  serialize(): string {
    // Appends leave the events as a rope of pieces; reading a character flattens it into one string,
    // and the GC then drops the pieces (a flow that is written is copied whole anyway).
    this.packed.charCodeAt(0);
    const head = JSON.stringify({
      definition: this.definition,
      key: this.key,
      style: this.style,
      duplicates: this.duplicates,
      status: this.status,
      startedAt: this.startedAt,
      ...(this.endedAt ? { endedAt: this.endedAt } : {}),
      lastEventAt: this.lastEventAt,
      ...(this.wasStalled ? { wasStalled: true } : {}),
      lastSeq: this.lastSeq,
      ...(this.writer ? { writer: this.writer } : {}),
    });
    return `${head.slice(0, -1)},"events":[${this.packed}]}`;
  }

  /** The stored shape as an object (what the API's view is built from). */
  toJSON(): FlowInstance {
    return JSON.parse(this.serialize()) as FlowInstance;
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
    return this.count > 0 && this.packed.includes(`{"id":${JSON.stringify(id)},`);
  }

  private pushEvent(event: TrackedEvent): void {
    const json = eventJson(event);
    this.packed = this.count === 0 ? json : `${this.packed},${json}`;
    this.count++;
    this.noteEarliest(event.type, event.at);
    if (this.ids) this.ids.add(event.id);
    else if (this.count > ID_SET_FROM) this.ids = new Set(this.events.map((e) => e.id));
  }

  private noteEarliest(type: string, at: string): void {
    const pairs = this.earliest;
    for (let i = 0; i < pairs.length; i += 2) {
      if (pairs[i] !== type) continue;
      if (at < pairs[i + 1]) pairs[i + 1] = at;
      return;
    }
    // A new array of exactly the size needed (a push would reserve room for 16 more).
    this.earliest = pairs.concat(type, at);
  }
}

const NO_TIMES: string[] = [];

/** The last evaluation made, of which flow, at which version, with which definition and clock. */
let lastEvaluation: {
  flow: FlowState | undefined;
  version: number;
  def: FlowDefinition | undefined;
  nowMs: number;
  evaluation: FlowEvaluation;
} = { flow: undefined, version: -1, def: undefined, nowMs: NaN, evaluation: { status: 'running', steps: [] } };

/** One event as the stored array holds it; the id first, so a duplicate is found by its opening. */
const eventJson = (e: TrackedEvent): string =>
  JSON.stringify({ id: e.id, type: e.type, at: e.at, traceId: e.traceId, spanId: e.spanId, seq: e.seq });

/** A flow's earliest times as the evaluation reads them (made per evaluation: young garbage). */
class PairTimes implements EarliestTimes {
  constructor(private readonly pairs: readonly string[]) {}

  get(type: string): string | undefined {
    for (let i = 0; i < this.pairs.length; i += 2) if (this.pairs[i] === type) return this.pairs[i + 1];
    return undefined;
  }

  *entries(): Iterable<readonly [string, string]> {
    for (let i = 0; i < this.pairs.length; i += 2) yield [this.pairs[i], this.pairs[i + 1]] as const;
  }
}

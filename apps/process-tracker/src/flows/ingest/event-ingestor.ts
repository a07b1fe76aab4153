import { ContractError, EVENTS_STREAM, type FlowDefinition } from '@flowscope/contracts';
import { consumerLagMetrics, DeadLetters, NatsClient } from '@flowscope/messaging';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DeliverPolicy, type ConsumerMessages, type JsMsg } from 'nats';
import { TRACKER_CONFIG, type TrackerConfig } from '../../config';
import { CheckpointStore, type Stored } from '../checkpoints/checkpoint-store';
import { DefinitionRegistry } from '../definitions/definition-registry';
import { TERMINAL } from '../evaluation/evaluate-flow';
import { instanceKey, type FlowInstance } from '../flow-instance';
import { FlowOutputs } from '../outputs/flow-outputs';
import { trackerMetrics } from '../outputs/tracker-metrics';
import { partitionOf } from '../partitions/partitioning';
import { FlowState } from '../state/flow-state';
import { FlowTable } from '../state/flow-table';
import { summaryOf } from '../state/open-flow-index';
import { readTrackedEvent, type Routed } from './read-tracked-event';

/** How far the events read so far go: a stream sequence, for the consumer that read them. */
export interface Covered {
  seq: number;
  generation: number;
}

/** A flow waiting for its look-up in the store, and the events that arrived for it meanwhile. */
interface Waiting {
  def: FlowDefinition;
  key: string;
  queue: Routed[];
}

/** Keys per batched look-up in the store. */
const LOAD_BATCH = 256;

const LAG_LABELS = { service: 'process-tracker', consumer: 'process-tracker' };

/**
 * Reads EVENTS with an ordered consumer (no acknowledgements: the position is part of each
 * partition's checkpoint) from the lowest position among the partitions this replica owns, and
 * applies each event to its flow in memory, in stream order. Events of partitions owned elsewhere,
 * or at or below their partition's position, are skipped. A flow not in memory is looked up in the
 * checkpoint store first (a late event for an ended flow brings it back); its events wait meanwhile.
 * Refused messages go to dlq.process-tracker.
 */
@Injectable()
export class EventIngestor {
  private readonly logger = new Logger('EventIngestor');
  /** Owned partitions → the stream sequence their state already covers (skip at or below it). */
  private readonly from = new Map<number, number>();
  /**
   * Partitions taken in whose reading has not begun: their events are not applied until `resume`
   * decides where the consumer reads from. Applied earlier, an event read before a restart to the
   * partition's (older) position would be applied ahead of the events between that position and
   * the consumer, and those would then look like replays of what was applied.
   */
  private readonly arriving = new Map<number, number>();
  /** Partitions the running consumer has read since it started: they cover up to lastSeen. */
  private readonly reading = new Set<number>();
  private readonly loading = new Map<string, Routed[]>();
  /** Flows to look up in the store, gathered over one turn of the event loop. */
  private readonly toLoad = new Map<string, Waiting>();
  private readonly pending = new Set<Promise<unknown>>();
  /** The events counter's children per definition and outcome (a label lookup per event adds up). */
  private readonly counters = new Map<string, { inc(): void }>();
  /** Partitions taken in whose recently ended flows are not listed yet. */
  private readonly unlisted = new Set<number>();
  private messages?: ConsumerMessages;
  private generation = 0;
  private lastSeen = 0;
  private consumerStart = Infinity;
  /** Called when enough changes wait for a checkpoint. */
  onBacklog?: () => void;
  /**
   * Reading stopped because the checkpoints fall behind: twice CHECKPOINT_CHANGES changes wait while
   * one is being written. Memory stays bounded (ended flows wait in memory for their write); the
   * consumer starts again where it stopped once a checkpoint has taken the changes in.
   */
  private paused = false;
  private restarting: Promise<void> = Promise.resolve();

  constructor(
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(DeadLetters) private readonly deadLetters: DeadLetters,
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
    @Inject(FlowTable) private readonly table: FlowTable,
    @Inject(CheckpointStore) private readonly store: CheckpointStore,
    @Inject(FlowOutputs) private readonly outputs: FlowOutputs,
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
  ) {}

  /** Takes a partition in: its open flows from the checkpoint, its position, then reads from there. */
  async acquire(partition: number): Promise<void> {
    const [flows, position] = await Promise.all([this.store.openFlows(partition), this.store.position(partition)]);
    for (const { flow: stored, revision } of flows) {
      const kvKey = instanceKey(stored.definition, stored.key);
      if (this.table.get(kvKey)) continue;
      const flow = FlowState.restore(stored, revision);
      flow.listedOpen = true;
      this.table.add(kvKey, flow, true);
    }
    this.arriving.set(partition, position);
    this.unlisted.add(partition);
  }

  /** Reads on from the lowest position of the owned partitions (after partitions were taken in). */
  async resume(): Promise<void> {
    await this.listRecent();
    for (const [partition, position] of this.arriving) this.from.set(partition, position);
    this.arriving.clear();
    const lowest = Math.min(...this.from.values());
    if (this.messages === undefined || lowest < this.lastSeen || lowest + 1 < this.consumerStart) return this.restart();
    // The consumer has not reached the new partitions' positions yet: it reads them on its way.
    for (const partition of this.from.keys()) this.reading.add(partition);
  }

  /** The recently ended flows of partitions just taken in, for the lists (the rest stays in the store). */
  private async listRecent(): Promise<void> {
    if (this.unlisted.size === 0) return;
    const partitions = new Set(this.unlisted);
    this.unlisted.clear();
    try {
      for (const { kvKey, flow, body, revision } of await this.store.recentFlows(this.config.RECENT_ENDED_FLOWS)) {
        if (!TERMINAL.has(flow.status) || this.table.get(kvKey)) continue;
        if (partitions.has(partitionOf(kvKey, this.config.TRACKER_PARTITIONS)))
          this.table.remember(kvKey, flow, body, revision);
      }
    } catch (error) {
      this.logger.warn(`cannot list the recently ended flows: ${String(error)}`);
    }
  }

  /** Lets a partition go (after its checkpoint, or when its lease lapsed): its flows leave memory. */
  drop(partition: number): void {
    this.arriving.delete(partition);
    for (const kvKey of this.loading.keys())
      if (partitionOf(kvKey, this.config.TRACKER_PARTITIONS) === partition) this.loading.delete(kvKey);
    this.from.delete(partition);
    this.reading.delete(partition);
    this.table.dropPartition(partition);
    if (this.from.size === 0) void this.stopReading();
  }

  /** The position a checkpoint of `partition` covers when every change up to `covered` is in it. */
  positionOf(partition: number, covered: Covered): number | undefined {
    const from = this.from.get(partition);
    if (from === undefined) return undefined;
    // A partition the consumer has not read yet, or a consumer restarted since: only what is known.
    if (!this.reading.has(partition) || covered.generation !== this.generation) return from;
    return Math.max(from, covered.seq);
  }

  /**
   * Waits for the work started so far (flow look-ups, dead letters) and returns the stream sequence
   * up to which every delivered event is now applied in memory: what a checkpoint taken now covers.
   */
  async settle(): Promise<Covered> {
    const covered = { seq: this.lastSeen, generation: this.generation };
    // Flows gathered for a look-up this turn hold events up to lastSeen: their look-up starts now, so
    // the checkpoint waits for it (a position written past events still queued would lose them in a crash).
    if (this.toLoad.size > 0) this.loadWaiting();
    await Promise.all([...this.pending]);
    return covered;
  }

  async stopReading(): Promise<void> {
    this.generation++;
    const messages = this.messages;
    this.messages = undefined;
    await messages?.close().catch(() => undefined);
  }

  /** (Re)starts the ordered consumer at the lowest position of the owned partitions (one at a time). */
  private restart(): Promise<void> {
    const next = this.restarting.then(() => this.startReading());
    this.restarting = next.catch(() => undefined);
    return next;
  }

  private async startReading(): Promise<void> {
    await this.stopReading();
    // What was applied before the restart is not applied again: the partitions read so far cover
    // lastSeen. Partitions just taken in start from their own checkpoint's position.
    for (const partition of this.reading) {
      const seq = this.from.get(partition);
      if (seq !== undefined && seq < this.lastSeen) this.from.set(partition, this.lastSeen);
    }
    this.reading.clear();
    for (const partition of this.from.keys()) this.reading.add(partition);
    const start = Math.min(...this.from.values()) + 1;
    if (!Number.isFinite(start)) return;
    this.lastSeen = start - 1;
    const generation = this.generation;
    const consumer = await this.nats.js.consumers.get(EVENTS_STREAM, {
      name_prefix: 'process-tracker',
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: start,
    });
    this.consumerStart = start;
    this.messages = await consumer.consume({
      max_messages: 2000,
      callback: (msg) => {
        if (generation === this.generation) this.take(msg);
      },
    });
  }

  private take(msg: JsMsg): void {
    const seq = msg.info.streamSequence;
    this.lastSeen = seq;
    let routed: Routed;
    try {
      routed = readTrackedEvent(msg, this.registry);
    } catch (error) {
      if (!(error instanceof ContractError)) {
        this.logger.error(`cannot read message ${seq}: ${String(error)}`);
        return;
      }
      this.track(this.refuse(msg, error));
      return;
    }
    const now = new Date();
    for (const { def, key } of routed.targets) {
      const kvKey = instanceKey(def.name, key);
      const from = this.from.get(partitionOf(kvKey, this.config.TRACKER_PARTITIONS));
      if (from === undefined || seq <= from) continue;
      this.route(kvKey, def, key, routed, now);
    }
    if (seq % 512 === 0) consumerLagMetrics.pending.set(LAG_LABELS, msg.info.pending);
    if (this.table.pendingChanges >= this.config.CHECKPOINT_CHANGES) this.onBacklog?.();
    if (this.table.pendingChanges >= 2 * this.config.CHECKPOINT_CHANGES && !this.paused) {
      this.paused = true;
      void this.stopReading();
    }
  }

  /** A checkpoint has taken the waiting changes in: reading goes on if it had stopped for them. */
  backlogTaken(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.from.size > 0 && this.messages === undefined) void this.restart();
  }

  private route(kvKey: string, def: FlowDefinition, key: string, routed: Routed, now: Date): void {
    const flow = this.table.get(kvKey);
    if (flow) return this.apply(kvKey, def, flow, routed, now);
    const waiting = this.loading.get(kvKey);
    if (waiting) return void waiting.push(routed);
    const recent = this.table.recentEntry(kvKey);
    if (recent) {
      const restored = FlowState.restore(JSON.parse(recent.body) as FlowInstance, recent.revision);
      return this.adopt(kvKey, def, key, restored, [routed]);
    }
    const queue = [routed];
    this.loading.set(kvKey, queue);
    this.toLoad.set(kvKey, { def, key, queue });
    if (this.toLoad.size === 1) setImmediate(() => this.loadWaiting());
  }

  /** Looks the flows that arrived this turn up together, LOAD_BATCH keys a round trip. */
  private loadWaiting(): void {
    const keys = [...this.toLoad];
    this.toLoad.clear();
    for (let i = 0; i < keys.length; i += LOAD_BATCH) this.track(this.load(keys.slice(i, i + LOAD_BATCH)));
  }

  /** Flows not in memory: from the checkpoint store (they ended, or another replica had them), or new. */
  private async load(keys: [string, Waiting][]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let stored: Map<string, Stored>;
      try {
        stored = await this.store.getFlows(keys.map(([kvKey]) => kvKey));
      } catch (error) {
        if (attempt % 10 === 1) this.logger.warn(`cannot read ${keys.length} flows, retrying: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * attempt)));
        continue;
      }
      for (const [kvKey, { def, key, queue }] of keys) {
        // The partition left meanwhile (dropping it dropped the queue; it may be back, read again from
        // its own position): these events are not this reading's any more. While the queue is there,
        // the flow cannot have come into memory (events for it join the queue).
        if (this.loading.get(kvKey) !== queue) continue;
        this.loading.delete(kvKey);
        const found = stored.get(kvKey);
        this.adopt(kvKey, def, key, found ? FlowState.restore(found.flow, found.revision) : undefined, queue);
      }
      return;
    }
  }

  private adopt(kvKey: string, def: FlowDefinition, key: string, flow: FlowState | undefined, events: Routed[]) {
    const now = new Date();
    const known = flow !== undefined;
    const state = flow ?? FlowState.create(def.name, key);
    const first = events.shift();
    if (!first) return;
    if (!known) {
      this.count(def, state.apply(def, first.event, first.style, now));
      this.table.add(kvKey, state);
      this.table.touch(kvKey, state);
      this.outputs.changed(def, state, undefined, now);
    } else {
      this.table.add(kvKey, state, true);
      this.apply(kvKey, def, state, first, now);
    }
    for (const routed of events) this.apply(kvKey, def, state, routed, now);
  }

  private apply(kvKey: string, def: FlowDefinition, flow: FlowState, routed: Routed, now: Date): void {
    const before = summaryOf(flow);
    const outcome = flow.apply(def, routed.event, routed.style, now);
    if (outcome === 'replayed') return;
    this.count(def, outcome);
    this.table.changed(kvKey, flow, before);
    this.outputs.changed(def, flow, before.status, now);
  }

  private count(def: FlowDefinition, outcome: string): void {
    if (outcome === 'replayed') return;
    const id = `${def.name}|${outcome}`;
    let counter = this.counters.get(id);
    if (!counter) this.counters.set(id, (counter = trackerMetrics.events.labels({ definition: def.name, outcome })));
    counter.inc();
  }

  private track(work: Promise<unknown>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private async refuse(msg: JsMsg, error: ContractError): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const stored = await this.deadLetters.send(
          {
            subject: msg.subject,
            data: msg.data,
            headers: msg.headers,
            streamSequence: msg.info.streamSequence,
            deliveryCount: msg.info.deliveryCount,
          },
          { code: error.code, message: error.message, issues: error.issues },
        );
        // Once per message, as its dead letter: another replica's (or a replay's) copy is not a new rejection.
        if (stored) trackerMetrics.rejected.inc({ reason: error.code });
        return;
      } catch (failure) {
        if (attempt % 10 === 1) this.logger.warn(`cannot dead-letter message, retrying: ${String(failure)}`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * attempt)));
      }
    }
  }
}

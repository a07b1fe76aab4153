import type { FlowStatus } from '@flowscope/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { TRACKER_CONFIG, type TrackerConfig } from '../../config';
import { headlineOf, type FlowHeadline, type FlowInstance } from '../flow-instance';
import { partitionOf } from '../partitions/partitioning';
import { OpenFlowIndex, type FlowSummary } from './open-flow-index';
import type { FlowState } from './flow-state';

/**
 * A change of the flows this replica holds: `flow` undefined when an open flow left memory because
 * its partition moved to another replica; `previous` null when the flow is new to this replica.
 */
export type TableListener = (kvKey: string, flow: FlowState | undefined, previous: FlowStatus | null) => void;

/**
 * A flow in a checkpoint. It is serialised when its write starts (not all at once when the checkpoint
 * is taken: a checkpoint of thousands of flows would hold the event loop), so it may hold events
 * past the position the checkpoint covers; a replay skips those by the flow's own `lastSeq`.
 * `version` is the one serialised: a flow changed since stays in memory for the next checkpoint.
 */
export class Serialised {
  version = -1;
  private text?: string;

  constructor(
    readonly kvKey: string,
    readonly flow: FlowState,
  ) {}

  get body(): string {
    if (this.text === undefined) {
      this.version = this.flow.version;
      this.text = this.flow.serialize();
    }
    return this.text;
  }

  /** The revision the write is made against (the one this replica last wrote or read). */
  get revision(): number {
    return this.flow.revision;
  }
}

/** An ended flow that left memory, as its checkpoint stored it (the recent ones, for the lists). */
export interface EndedFlow extends FlowHeadline {
  body: string;
  revision: number;
}

/**
 * The flows of this replica's partitions, in memory: open flows, and ended ones until their
 * checkpoint is written (then they leave; the most recent RECENT_ENDED_FLOWS stay as their stored
 * JSON, for the lists). Also the index of open flows the stall sweep reads, and the set of flows
 * changed since the last checkpoint.
 */
@Injectable()
export class FlowTable {
  private readonly flows = new Map<string, FlowState>();
  private readonly recent = new Map<string, EndedFlow>();
  private dirty = new Map<string, FlowState>();
  private dirtyChanges = 0;
  private readonly listeners = new Set<TableListener>();
  readonly index = new OpenFlowIndex();

  constructor(@Inject(TRACKER_CONFIG) private readonly config: TrackerConfig) {}

  get(kvKey: string): FlowState | undefined {
    return this.flows.get(kvKey);
  }

  get size(): number {
    return this.flows.size;
  }

  /** Changes since the last checkpoint (events applied, flows marked stalled). */
  get pendingChanges(): number {
    return this.dirtyChanges;
  }

  flowsInMemory(): IterableIterator<FlowState> {
    return this.flows.values();
  }

  recentEnded(): IterableIterator<EndedFlow> {
    return this.recent.values();
  }

  /** A recently ended flow that left memory: its stored JSON and revision. */
  recentEntry(kvKey: string): EndedFlow | undefined {
    return this.recent.get(kvKey);
  }

  onChange(listener: TableListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Takes a flow into memory: one created by its first event (`reloaded` false: listeners see it
   * appear), or one read back from the store (a late event for an ended flow, a partition taken
   * over: listeners see no change of status, so nothing counts its ending twice).
   */
  add(kvKey: string, flow: FlowState, reloaded = false): void {
    this.flows.set(kvKey, flow);
    this.recent.delete(kvKey);
    this.index.track(kvKey, undefined, flow);
    for (const listener of this.listeners) listener(kvKey, flow, reloaded ? flow.status : null);
  }

  /** Records that `flow` changed; `before` is its summary before the change. */
  changed(kvKey: string, flow: FlowState, before: FlowSummary): void {
    this.dirty.set(kvKey, flow);
    this.dirtyChanges++;
    this.index.track(kvKey, before, flow);
    for (const listener of this.listeners) listener(kvKey, flow, before.status);
  }

  /** Marks a flow for the next checkpoint without a change of state (e.g. one just created). */
  touch(kvKey: string, flow: FlowState): void {
    this.dirty.set(kvKey, flow);
    this.dirtyChanges++;
  }

  /** The flows changed since the last call, to be written by `writer` (a checkpoint's content). */
  takeChanged(writer: string): Serialised[] {
    const taken = this.dirty;
    this.dirty = new Map();
    this.dirtyChanges = 0;
    return [...taken].map(([kvKey, flow]) => {
      flow.writer = writer;
      return new Serialised(kvKey, flow);
    });
  }

  /** After their checkpoint is written: ended flows unchanged since leave memory. */
  written(batch: readonly Serialised[]): void {
    for (const { kvKey, flow, version, body } of batch) {
      if (!flow.ended || flow.version !== version || this.flows.get(kvKey) !== flow) continue;
      this.flows.delete(kvKey);
      this.remember(kvKey, flow, body, flow.revision);
    }
  }

  /** A checkpoint failed: its flows are written again by the next one. */
  unwritten(batch: readonly Serialised[]): void {
    for (const { kvKey, flow } of batch) {
      if (this.flows.get(kvKey) !== flow || this.dirty.has(kvKey)) continue;
      this.dirty.set(kvKey, flow);
      this.dirtyChanges++;
    }
  }

  /** Drops the flows of a partition this replica no longer owns (their state is in its checkpoint). */
  dropPartition(partition: number): void {
    for (const [kvKey, flow] of this.flows) {
      if (partitionOf(kvKey, this.config.TRACKER_PARTITIONS) !== partition) continue;
      this.flows.delete(kvKey);
      this.dirty.delete(kvKey);
      this.index.track(kvKey, flow, undefined);
      if (!flow.ended) for (const listener of this.listeners) listener(kvKey, undefined, flow.status);
    }
    for (const kvKey of this.recent.keys())
      if (partitionOf(kvKey, this.config.TRACKER_PARTITIONS) === partition) this.recent.delete(kvKey);
  }

  /** Keeps an ended flow for the lists (one that left memory, or one read from the store). */
  remember(kvKey: string, flow: FlowInstance, body: string, revision: number): void {
    this.recent.delete(kvKey);
    this.recent.set(kvKey, { ...headlineOf(flow), body, revision });
    if (this.recent.size > this.config.RECENT_ENDED_FLOWS) this.recent.delete(this.recent.keys().next().value!);
  }
}

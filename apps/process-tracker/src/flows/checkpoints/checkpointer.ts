import { Inject, Injectable, Logger } from '@nestjs/common';
import { TRACKER_CONFIG, type TrackerConfig } from '../../config';
import { DefinitionRegistry } from '../definitions/definition-registry';
import { EventIngestor } from '../ingest/event-ingestor';
import { FlowOutputs } from '../outputs/flow-outputs';
import { partitionOf } from '../partitions/partitioning';
import type { FlowState } from '../state/flow-state';
import { FlowTable, type Serialised } from '../state/flow-table';
import { CheckpointStore, openKey, type WriteOutcome } from './checkpoint-store';

/**
 * Every CHECKPOINT_MS (or sooner, once CHECKPOINT_CHANGES changes wait), writes the flows changed
 * since the last checkpoint and then the position each owned partition is covered to. One checkpoint
 * at a time; a failed one leaves its flows for the next. Ended flows leave memory once written.
 */
@Injectable()
export class Checkpointer {
  private readonly logger = new Logger('Checkpointer');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private readonly written = new Map<number, number>();

  constructor(
    @Inject(FlowTable) private readonly table: FlowTable,
    @Inject(EventIngestor) private readonly ingestor: EventIngestor,
    @Inject(CheckpointStore) private readonly store: CheckpointStore,
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
    @Inject(FlowOutputs) private readonly outputs: FlowOutputs,
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
  ) {
    ingestor.onBacklog = () => void this.flush();
  }

  start(replica: string, owned: () => number[]): void {
    this.replica = replica;
    this.owned = owned;
    this.timer = setInterval(() => void this.flush(), this.config.CHECKPOINT_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private replica = '';
  private owned: () => number[] = () => [];

  /** A checkpoint of everything applied so far; resolves once it is written (or has failed). */
  flush(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.checkpoint()
      .catch((error: unknown) => this.logger.error(`checkpoint failed, the next one retries: ${String(error)}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          void this.flush();
        }
      });
    return this.running;
  }

  /** Waits for a checkpoint that covers what was applied before the call. */
  async flushed(): Promise<void> {
    await this.running;
    await this.flush();
  }

  private async checkpoint(): Promise<void> {
    const covered = await this.ingestor.settle();
    const batch = this.table.takeChanged(this.replica);
    this.ingestor.backlogTaken();
    // Before the write: a crash after it must not lose a span (a replay emits it again instead).
    const now = new Date();
    for (const { flow } of batch) {
      const def = flow.spanDue ? this.registry.get(flow.definition) : undefined;
      if (def) this.outputs.emitDueSpan(def, flow, now);
    }
    const partitions = this.config.TRACKER_PARTITIONS;
    const positions = new Map<number, number>();
    for (const partition of this.owned()) {
      const seq = this.ingestor.positionOf(partition, covered);
      if (seq !== undefined && seq !== this.written.get(partition)) positions.set(partition, seq);
    }
    if (batch.length === 0 && positions.size === 0) return;
    const outcomes = await this.store.writeFlows(batch, this.replica);
    // What was written keeps its new revision; what failed is written again by the next checkpoint.
    const lost = this.revise(batch, outcomes);
    const failed = batch.filter((_, i) => 'error' in outcomes[i]);
    if (failed.length > 0) {
      this.table.unwritten(failed);
      const error = outcomes.find((o): o is { error: unknown } => 'error' in o)!.error;
      throw new Error(`${failed.length} of ${batch.length} flows not written: ${String(error)}`, { cause: error });
    }
    // Nothing more of a partition another replica owns now: neither its index nor its position.
    const opened: string[] = [];
    const closed: string[] = [];
    const listed: [FlowState, boolean][] = [];
    batch.forEach(({ kvKey, flow }, i) => {
      const partition = partitionOf(kvKey, partitions);
      const open = !flow.ended;
      if (lost.has(partition) || !('revision' in outcomes[i]) || open === flow.listedOpen) return;
      (open ? opened : closed).push(openKey(partition, kvKey));
      listed.push([flow, open]);
    });
    for (const partition of lost) positions.delete(partition);
    try {
      await this.store.writeIndexAndPositions({ opened, closed, positions }, this.replica);
    } catch (error) {
      // The flows are written (at their new revisions): the next checkpoint writes them and the rest again.
      this.table.unwritten(batch);
      throw error;
    }
    for (const [flow, open] of listed) flow.listedOpen = open;
    for (const [partition, seq] of positions) this.written.set(partition, seq);
    this.table.written(batch.filter(({ kvKey }) => !lost.has(partitionOf(kvKey, partitions))));
    for (const partition of lost) {
      this.logger.warn(`partition ${partition} was written by another replica: it is no longer ours`);
      this.onLost?.(partition);
    }
  }

  /** Records each written flow's new revision; returns the partitions whose flows met a conflict. */
  private revise(batch: readonly Serialised[], outcomes: readonly WriteOutcome[]): Set<number> {
    const lost = new Set<number>();
    batch.forEach(({ kvKey, flow }, i) => {
      const outcome = outcomes[i];
      if (outcome && 'revision' in outcome) flow.revision = outcome.revision;
      else if (outcome && 'conflict' in outcome) lost.add(partitionOf(kvKey, this.config.TRACKER_PARTITIONS));
    });
    return lost;
  }

  /** Told of a partition another replica has taken over (a conflict on one of its flows). */
  onLost?: (partition: number) => void;

  /** A partition left this replica: its next owner writes its positions. */
  forget(partition: number): void {
    this.written.delete(partition);
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { TRACKER_CONFIG, type TrackerConfig } from '../../config';
import { EventIngestor } from '../ingest/event-ingestor';
import { partitionOf } from '../partitions/partitioning';
import type { FlowState } from '../state/flow-state';
import { FlowTable, type Serialised } from '../state/flow-table';
import { CheckpointError, CheckpointStore, openKey, type Checkpoint, type WriteOutcome } from './checkpoint-store';

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
    const batch = this.table.takeChanged();
    const partitions = this.config.TRACKER_PARTITIONS;
    const checkpoint: Checkpoint = { flows: batch, opened: [], closed: [], positions: new Map() };
    const listed: [FlowState, boolean][] = [];
    for (const { kvKey, flow } of batch) {
      const open = !flow.ended;
      if (open === flow.listedOpen) continue;
      (open ? checkpoint.opened : checkpoint.closed).push(openKey(partitionOf(kvKey, partitions), kvKey));
      listed.push([flow, open]);
    }
    for (const partition of this.owned()) {
      const seq = this.ingestor.positionOf(partition, covered);
      if (seq !== undefined && seq !== this.written.get(partition)) checkpoint.positions.set(partition, seq);
    }
    if (batch.length === 0 && checkpoint.positions.size === 0) return;
    let outcomes: WriteOutcome[];
    try {
      outcomes = await this.store.write(checkpoint, this.replica);
    } catch (error) {
      // What was written keeps its new revision; the rest is written again by the next checkpoint.
      if (error instanceof CheckpointError) this.revise(batch, error.outcomes);
      this.table.unwritten(batch);
      throw error;
    }
    const lost = this.revise(batch, outcomes);
    for (const [flow, open] of listed) flow.listedOpen = open;
    for (const [partition, seq] of checkpoint.positions) this.written.set(partition, seq);
    this.table.written(batch);
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

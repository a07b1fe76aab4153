import { Controller, Get, Inject } from '@nestjs/common';
import { TRACKER_CONFIG, type TrackerConfig } from '../../config';
import { CheckpointStore } from '../checkpoints/checkpoint-store';
import { PartitionLeases } from '../partitions/partition-leases';

/** One partition as `GET /partitions` shows it. */
export interface PartitionView {
  partition: number;
  /** The replica holding its lease now; null while none does (e.g. during a hand-over). */
  owner: string | null;
  /** The EVENTS stream sequence its last checkpoint covers (0: none yet). */
  position: number;
  checkpointedAt: string | null;
}

/**
 * Where the tracker's partitions are: owner and checkpoint position of each, as every replica sees
 * them (read from the leases and positions buckets). A reader compares positions with the stream's
 * last sequence to tell that the tracker has caught up.
 */
@Controller()
export class PartitionsController {
  constructor(
    @Inject(PartitionLeases) private readonly leases: PartitionLeases,
    @Inject(CheckpointStore) private readonly store: CheckpointStore,
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
  ) {}

  @Get('partitions')
  async partitions(): Promise<{ replica: string; owned: number[]; partitions: PartitionView[] }> {
    const [owners, positions] = await Promise.all([
      this.leases.owners(),
      this.store.allPositions(this.config.TRACKER_PARTITIONS),
    ]);
    return {
      replica: this.leases.replica,
      owned: this.leases.owned(),
      partitions: owners.map((owner, partition) => ({
        partition,
        owner,
        position: positions[partition]?.seq ?? 0,
        checkpointedAt: positions[partition]?.at ?? null,
      })),
    };
  }
}

import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Checkpointer } from '../checkpoints/checkpointer';
import { EventIngestor } from '../ingest/event-ingestor';
import { PartitionLeases } from './partition-leases';

/**
 * Ties the partitions' leases to the state: a partition that arrives is loaded from its checkpoint
 * and read from its position; one handed over is checkpointed first; one whose lease lapsed is
 * dropped as it is (its new owner replays from the last checkpoint).
 */
@Injectable()
export class PartitionCoordinator implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(PartitionLeases) private readonly leases: PartitionLeases,
    @Inject(EventIngestor) private readonly ingestor: EventIngestor,
    @Inject(Checkpointer) private readonly checkpointer: Checkpointer,
  ) {}

  private started = false;

  async onApplicationBootstrap(): Promise<void> {
    // A hybrid app (HTTP + the JetStream transport) runs bootstrap hooks once per part: start once.
    if (this.started) return;
    this.started = true;
    this.checkpointer.start(this.leases.replica, () => this.leases.owned());
    // A conflict on a flow's write means another replica owns its partition now: let it go as lost.
    this.checkpointer.onLost = (partition) => void this.leases.lose(partition);
    await this.leases.start({
      acquired: (partition) => this.ingestor.acquire(partition),
      released: async (partition, lost) => {
        if (!lost) await this.checkpointer.flushed();
        this.ingestor.drop(partition);
        this.checkpointer.forget(partition);
      },
      afterRound: () => this.ingestor.resume(),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    // Stop reading, then hand every partition over checkpointed: a clean stop replays nothing.
    await this.ingestor.stopReading();
    await this.leases.stop();
    this.checkpointer.stop();
  }
}

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TRACKER_CONFIG, type TrackerConfig } from '../../config';
import { DefinitionRegistry } from '../definitions/definition-registry';
import { FlowTable } from '../state/flow-table';
import { summaryOf } from '../state/open-flow-index';
import { FlowOutputs } from './flow-outputs';
import { trackerMetrics } from './tracker-metrics';

/**
 * One periodic sweep instead of a timer per flow: takes the flows past their SLA off the index of
 * open flows in memory (this replica's partitions), marks them stalled (the next checkpoint stores
 * it), and sets the in-progress and stalled gauges from the index's counts.
 */
@Injectable()
export class StallSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('StallSweeper');
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(FlowTable) private readonly table: FlowTable,
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
    @Inject(FlowOutputs) private readonly outputs: FlowOutputs,
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
  ) {}

  onApplicationBootstrap(): void {
    // A hybrid app (HTTP + the JetStream transport) runs bootstrap hooks once per part: start once.
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.sweep();
      } catch (error) {
        this.logger.error(`sweep failed: ${String(error)}`);
      }
    }, this.config.STALL_SWEEP_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One sweep, in memory: the next checkpoint stores what it marked. */
  sweep(now = new Date()): void {
    // Only flows whose SLA has run out come off the index: no walk over every open flow.
    for (const def of this.registry.definitions) {
      for (const kvKey of this.table.index.takeDue(def.name, now.getTime() - def.timeoutMs)) {
        const flow = this.table.get(kvKey);
        if (!flow) continue;
        const before = summaryOf(flow);
        if (!flow.markStalled(def, now)) continue;
        this.table.changed(kvKey, flow, before);
        this.outputs.changed(def, flow, before.status, now);
      }
    }
    trackerMetrics.inProgress.reset();
    trackerMetrics.stalled.reset();
    for (const { definition, style, open, stalled } of this.table.index.openCounts()) {
      trackerMetrics.inProgress.set({ definition, style }, open);
      trackerMetrics.stalled.set({ definition, style }, stalled);
    }
  }
}

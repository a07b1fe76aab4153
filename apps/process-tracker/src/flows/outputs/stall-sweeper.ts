import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TRACKER_CONFIG, type TrackerConfig } from '../../config';
import { DefinitionRegistry } from '../definitions/definition-registry';
import { evaluateFlow, TERMINAL } from '../evaluation/evaluate-flow';
import { instanceKey } from '../flow-instance';
import { FlowStore } from '../store/flow-store';
import { FlowOutputs } from './flow-outputs';
import { trackerMetrics } from './tracker-metrics';

/**
 * One periodic sweep over the in-memory flows instead of a timer per flow: marks flows past their
 * SLA as stalled (once, whichever replica gets there first) and refreshes the in-progress gauges.
 */
@Injectable()
export class StallSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('StallSweeper');
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(
    @Inject(FlowStore) private readonly store: FlowStore,
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
    @Inject(FlowOutputs) private readonly outputs: FlowOutputs,
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .catch((error: unknown) => this.logger.error(`sweep failed: ${String(error)}`))
        .finally(() => (this.sweeping = undefined));
    }, this.config.STALL_SWEEP_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  async sweep(now = new Date()): Promise<void> {
    trackerMetrics.inProgress.reset();
    trackerMetrics.stalled.reset();
    for (const flow of this.store.all()) {
      const def = this.registry.get(flow.definition);
      if (!def || TERMINAL.has(flow.status)) continue;
      const labels = { definition: def.name, style: flow.style };
      trackerMetrics.inProgress.inc(labels);
      const status = evaluateFlow(def, flow.events, now).status;
      if (status === 'stalled') trackerMetrics.stalled.inc(labels);
      if (status !== 'stalled' || flow.status === 'stalled') continue;
      const change = await this.store.change(instanceKey(def.name, flow.key), (current) =>
        current && current.status !== 'stalled' && evaluateFlow(def, current.events, now).status === 'stalled'
          ? { ...current, status: 'stalled', wasStalled: true }
          : undefined,
      );
      if (change) this.outputs.changed(def, change, now);
    }
  }
}

import type { FlowDefinition } from '@flowscope/contracts';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TRACKER_CONFIG, type TrackerConfig } from '../../config';
import { DefinitionRegistry } from '../definitions/definition-registry';
import { evaluateFlow, TERMINAL } from '../evaluation/evaluate-flow';
import { FlowStore } from '../store/flow-store';
import { FlowOutputs } from './flow-outputs';
import { trackerMetrics } from './tracker-metrics';

/**
 * One periodic sweep instead of a timer per flow: takes the flows past their SLA off the store's
 * index of open flows, marks them stalled (once, whichever replica gets there first), and sets the
 * in-progress and stalled gauges from the index's counts.
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
    // Only flows whose SLA has run out come off the index: no walk over every open flow.
    for (const def of this.registry.definitions) {
      for (const kvKey of this.store.index.takeDue(def.name, now.getTime() - def.timeoutMs)) {
        const flow = this.store.byKvKey(kvKey);
        if (!flow || TERMINAL.has(flow.status) || flow.status === 'stalled') continue;
        await this.markStalled(def, kvKey, now).catch((error: unknown) => {
          this.logger.error(`cannot mark ${kvKey} stalled, next sweep retries: ${String(error)}`);
          this.store.index.requeue(kvKey, flow);
        });
      }
    }
    trackerMetrics.inProgress.reset();
    trackerMetrics.stalled.reset();
    for (const { definition, style, open, stalled } of this.store.index.openCounts()) {
      trackerMetrics.inProgress.set({ definition, style }, open);
      trackerMetrics.stalled.set({ definition, style }, stalled);
    }
  }

  private async markStalled(def: FlowDefinition, kvKey: string, now: Date): Promise<void> {
    const change = await this.store.change(kvKey, (current) =>
      current &&
      !TERMINAL.has(current.status) &&
      current.status !== 'stalled' &&
      evaluateFlow(def, current.events, now).status === 'stalled'
        ? { ...current, status: 'stalled', wasStalled: true }
        : undefined,
    );
    if (change) this.outputs.changed(def, change, now);
  }
}

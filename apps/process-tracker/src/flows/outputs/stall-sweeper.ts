import type { FlowDefinition } from '@flowscope/contracts';
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
    const counts = new Map<string, { labels: { definition: string; style: string }; open: number; stalled: number }>();
    const toStall = [];
    for (const flow of this.store.all()) {
      const def = this.registry.get(flow.definition);
      if (!def || TERMINAL.has(flow.status)) continue;
      // Counted locally: a labelled inc() per flow costs too much with 100,000 flows open.
      const id = `${def.name}|${flow.style}`;
      const count = counts.get(id) ?? { labels: { definition: def.name, style: flow.style }, open: 0, stalled: 0 };
      counts.set(id, count);
      count.open++;
      if (flow.status === 'stalled') count.stalled++;
      // Cheap test first: evaluating every open flow at every sweep would block the event loop.
      else if (Date.parse(flow.startedAt) + def.timeoutMs < now.getTime() && evaluateFlow(def, flow.events, now).status === 'stalled') {
        count.stalled++;
        toStall.push({ def, key: flow.key });
      }
    }
    trackerMetrics.inProgress.reset();
    trackerMetrics.stalled.reset();
    for (const { labels, open, stalled } of counts.values()) {
      trackerMetrics.inProgress.set(labels, open);
      trackerMetrics.stalled.set(labels, stalled);
    }
    for (const { def, key } of toStall) await this.markStalled(def, key, now);
  }

  private async markStalled(def: FlowDefinition, key: string, now: Date): Promise<void> {
    const change = await this.store.change(instanceKey(def.name, key), (current) =>
      current && current.status !== 'stalled' && evaluateFlow(def, current.events, now).status === 'stalled'
        ? { ...current, status: 'stalled', wasStalled: true }
        : undefined,
    );
    if (change) this.outputs.changed(def, change, now);
  }
}

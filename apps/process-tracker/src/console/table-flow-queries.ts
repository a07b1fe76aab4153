// FlowQueries over the tracker's state: the flows in memory (this replica's partitions) for the live
// views and counts, the FlowReader (memory, then the checkpoint store) for single flows and lists.
import type { FlowDefinition, FlowStatus } from '@flowscope/contracts';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DefinitionRegistry } from '../flows/definitions/definition-registry';
import { TERMINAL } from '../flows/evaluation/evaluate-flow';
import { FlowReader } from '../flows/api/flow-reader';
import { toView, type FlowInstance } from '../flows/flow-instance';
import type { FlowState } from '../flows/state/flow-state';
import { FlowTable } from '../flows/state/flow-table';
import { failedStepOf, pendingStepOf } from './flow-progress';
import type {
  ConsoleFlow,
  FlowFilter,
  FlowPage,
  FlowQueries,
  FlowStatusListener,
  OpenStatus,
  OpenStepCount,
} from './flow-queries';
import { OpenStepTally } from './open-step-tally';

const STALE_LIMIT = 10_000;

@Injectable()
export class TableFlowQueries implements FlowQueries, OnModuleDestroy {
  private readonly logger = new Logger('TableFlowQueries');
  private readonly listeners = new Set<FlowStatusListener>();
  private readonly tally = new OpenStepTally();
  /** Flows changed since the tally was last brought up to date (it is, when counts are asked for). */
  private readonly stale = new Map<string, FlowState | undefined>();
  private readonly unsubscribe: () => void;

  constructor(
    @Inject(FlowTable) table: FlowTable,
    @Inject(FlowReader) private readonly reader: FlowReader,
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
  ) {
    // Registered before any partition is loaded (at bootstrap), so every flow is seen.
    this.unsubscribe = table.onChange((kvKey, flow, previous) => {
      try {
        this.changed(kvKey, flow, previous);
      } catch (error) {
        this.logger.error(`console could not take a flow change in: ${String(error)}`);
      }
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  definitions(): readonly FlowDefinition[] {
    return this.registry.definitions;
  }

  async getFlow(definition: string, key: string): Promise<ConsoleFlow | undefined> {
    const def = this.registry.get(definition);
    const flow = def && (await this.reader.get(definition, key));
    return flow && def ? consoleFlow(flow, def, new Date()) : undefined;
  }

  async listFlows(filter: FlowFilter, page: { limit: number; cursor?: string }): Promise<FlowPage> {
    const now = new Date();
    const cursor = page.cursor ? Buffer.from(page.cursor, 'base64url').toString() : undefined;
    const found = await this.reader.list(filter, page.limit, cursor);
    const items = found.items.flatMap((flow) => {
      const def = this.registry.get(flow.definition);
      return def ? [consoleFlow(flow, def, now)] : [];
    });
    return { items, next: found.next ? Buffer.from(found.next).toString('base64url') : null };
  }

  openCounts(): Promise<OpenStepCount[]> {
    this.refreshTally();
    return Promise.resolve(this.tally.counts());
  }

  /** Places the flows changed since the last refresh (one evaluation per flow, not per event). */
  private refreshTally(): void {
    const now = new Date();
    for (const [id, flow] of this.stale) {
      const def = flow && this.registry.get(flow.definition);
      if (!def || !flow || TERMINAL.has(flow.status)) this.tally.remove(id);
      else {
        const step = pendingStepOf(def, flow.evaluate(def, now).steps, flow.status);
        this.tally.set(id, { definition: def.name, style: flow.style, step, status: flow.status as OpenStatus });
      }
    }
    this.stale.clear();
  }

  onStatusChange(listener: FlowStatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(id: string, after: FlowState | undefined, previous: FlowStatus | null): void {
    this.stale.set(id, after);
    // Bounded: without an overview asking, the tally is brought up to date every so many changes.
    if (this.stale.size >= STALE_LIMIT) this.refreshTally();
    // Nobody watches the live view (the usual case while a backlog drains): no evaluation per change.
    if (this.listeners.size === 0) return;
    const def = after && this.registry.get(after.definition);
    if (!def || !after || previous === after.status) return;
    const steps = after.evaluate(def, new Date()).steps;
    const step = pendingStepOf(def, steps, after.status);
    const endedAt = TERMINAL.has(after.status) ? (after.endedAt ?? null) : null;
    const change = {
      definition: def.name,
      key: after.key,
      style: after.style,
      status: after.status,
      previous,
      firstPendingStep: step,
      failedStep: failedStepOf(steps),
      startedAt: after.startedAt,
      endedAt,
      durationMs: endedAt ? Date.parse(endedAt) - Date.parse(after.startedAt) : null,
    };
    for (const listener of this.listeners) listener(change);
  }
}

function consoleFlow(flow: FlowInstance, def: FlowDefinition, now: Date): ConsoleFlow {
  const view = toView(flow, def, now);
  const seqs = new Map(flow.events.map((e) => [e.id, e.seq ?? null]));
  return {
    ...view,
    events: view.events.map((e) => ({ ...e, seq: seqs.get(e.id) ?? null })),
    timeoutMs: def.timeoutMs,
  };
}

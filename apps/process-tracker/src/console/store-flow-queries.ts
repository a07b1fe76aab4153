// FlowQueries over today's FlowStore (a live copy of the KV bucket `flows` in memory). A thin
// adapter: the tracker's rewrite replaces this file, not the console.
import type { FlowDefinition } from '@flowscope/contracts';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DefinitionRegistry } from '../flows/definitions/definition-registry';
import { evaluateFlow, TERMINAL } from '../flows/evaluation/evaluate-flow';
import { toView, type FlowInstance } from '../flows/flow-instance';
import { FlowStore } from '../flows/store/flow-store';
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

@Injectable()
export class StoreFlowQueries implements FlowQueries, OnModuleDestroy {
  private readonly logger = new Logger('StoreFlowQueries');
  private readonly listeners = new Set<FlowStatusListener>();
  private readonly tally = new OpenStepTally();
  private readonly unsubscribe: () => void;

  constructor(
    @Inject(FlowStore) private readonly store: FlowStore,
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
  ) {
    // Registered before the store loads the bucket (its onModuleInit), so every flow is seen.
    this.unsubscribe = store.onChange((before, after) => {
      try {
        this.changed(before, after);
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

  getFlow(definition: string, key: string): Promise<ConsoleFlow | undefined> {
    const def = this.registry.get(definition);
    const flow = def && this.store.get(definition, key);
    return Promise.resolve(flow ? consoleFlow(flow, def, new Date()) : undefined);
  }

  listFlows(filter: FlowFilter, page: { limit: number; cursor?: string }): Promise<FlowPage> {
    const now = new Date();
    const cursor = page.cursor ? Buffer.from(page.cursor, 'base64url').toString() : undefined;
    const matches: [string, ConsoleFlow][] = [];
    for (const flow of this.store.all()) {
      const order = `${flow.startedAt}|${flow.definition}|${flow.key}`;
      if ((cursor && order >= cursor) || !cheapMatch(flow, filter)) continue;
      const def = this.registry.get(flow.definition);
      if (!def) continue;
      const view = consoleFlow(flow, def, now);
      if (filter.status && view.status !== filter.status) continue;
      if (filter.pendingStep && pendingStepOf(def, view.steps, view.status) !== filter.pendingStep) continue;
      matches.push([order, view]);
    }
    matches.sort((a, b) => (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0));
    const items = matches.slice(0, page.limit).map(([, view]) => view);
    const next = matches.length > page.limit ? Buffer.from(matches[page.limit - 1][0]).toString('base64url') : null;
    return Promise.resolve({ items, next });
  }

  openCounts(): Promise<OpenStepCount[]> {
    return Promise.resolve(this.tally.counts());
  }

  onStatusChange(listener: FlowStatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(before: FlowInstance | undefined, after: FlowInstance | undefined): void {
    const kvKey = (after ?? before)!;
    const id = `${kvKey.definition}.${kvKey.key}`;
    const def = this.registry.get(kvKey.definition);
    if (!def || !after) return this.tally.remove(id);
    const steps = evaluateFlow(def, after.events, new Date()).steps;
    const step = pendingStepOf(def, steps, after.status);
    if (TERMINAL.has(after.status)) this.tally.remove(id);
    else this.tally.set(id, { definition: def.name, style: after.style, step, status: after.status as OpenStatus });
    if (before?.status === after.status) return;
    const endedAt = TERMINAL.has(after.status) ? (after.endedAt ?? null) : null;
    const change = {
      definition: def.name,
      key: after.key,
      style: after.style,
      status: after.status,
      previous: before?.status ?? null,
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

/** The filters that need no evaluation of the flow. */
function cheapMatch(flow: FlowInstance, filter: FlowFilter): boolean {
  if (filter.definition && flow.definition !== filter.definition) return false;
  if (filter.style && flow.style !== filter.style) return false;
  if (filter.status && TERMINAL.has(filter.status) && flow.status !== filter.status) return false;
  if (filter.startedBefore && flow.startedAt > filter.startedBefore) return false;
  if (filter.startedAfter && flow.startedAt < filter.startedAfter) return false;
  if (filter.lastEventBefore && flow.lastEventAt > filter.lastEventBefore) return false;
  return !(filter.lastEventAfter && flow.lastEventAt < filter.lastEventAfter);
}

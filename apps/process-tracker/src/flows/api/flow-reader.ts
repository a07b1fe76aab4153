import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { CheckpointStore } from '../checkpoints/checkpoint-store';
import { DefinitionRegistry } from '../definitions/definition-registry';
import { headlineOf, instanceKey, type FlowInstance } from '../flow-instance';
import { PartitionLeases } from '../partitions/partition-leases';
import { FlowTable } from '../state/flow-table';
import { matches, NewestFirst, orderOf, type FlowFilter, type Listed } from './flow-list';
import { PeerLists, type ListRequest } from './peer-lists';

export type { Listed } from './flow-list';

/** A page of flows, newest first; `next` is the order key of its last flow when more follow. */
export interface InstancePage {
  items: FlowInstance[];
  next: string | null;
}

/**
 * Reads flows for the API and the console, so that any replica answers for every flow: one flow
 * from memory when this replica owns its partition (its state now), else from the checkpoint store
 * (the owner's last checkpoint, at most CHECKPOINT_MS old); lists from this replica's flows merged
 * with the other replicas' candidates (open flows and the most recent RECENT_ENDED_FLOWS ended ones
 * of each replica; older ended flows are read one by one).
 */
@Injectable()
export class FlowReader implements OnApplicationBootstrap {
  constructor(
    @Inject(FlowTable) private readonly table: FlowTable,
    @Inject(CheckpointStore) private readonly store: CheckpointStore,
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
    @Inject(PartitionLeases) private readonly leases: PartitionLeases,
    @Inject(PeerLists) private readonly peers: PeerLists,
  ) {}

  private answering = false;

  onApplicationBootstrap(): void {
    // A hybrid app (HTTP + the JetStream transport) runs bootstrap hooks once per part: start once.
    if (this.answering) return;
    this.answering = true;
    this.peers.answer(this.leases.replica, (request) =>
      this.candidates(request).map(([order, flow]) => [order, instanceKey(flow.definition, flow.key)]),
    );
  }

  async get(definition: string, key: string): Promise<FlowInstance | undefined> {
    const kvKey = instanceKey(definition, key);
    const live = this.table.get(kvKey);
    // A copy: the view is built from it once (the flow in memory keeps its events compact, and changes).
    if (live) return live.toJSON();
    const recent = this.table.recentEntry(kvKey);
    if (recent) return JSON.parse(recent.body) as FlowInstance;
    return this.store.getFlow(kvKey);
  }

  async list(filter: FlowFilter, limit: number, cursor?: string): Promise<InstancePage> {
    const request: ListRequest = { filter, limit, ...(cursor ? { cursor } : {}) };
    const page = new NewestFirst<() => Promise<FlowInstance | undefined>>(limit + 1);
    for (const [order, flow] of this.candidates(request)) page.add(order, () => Promise.resolve(flow.instance()));
    for (const answer of await this.peers.ask(this.leases.replica, this.leases.peers().length, request))
      for (const [order, kvKey] of answer.items) page.add(order, () => this.store.getFlow(kvKey));
    const kept = page.items();
    const items = await Promise.all(kept.slice(0, limit).map(([, read]) => read()));
    return {
      items: items.filter((f): f is FlowInstance => f !== undefined),
      next: kept.length > limit ? kept[limit - 1][0] : null,
    };
  }

  /** This replica's flows matching a list request: at most limit + 1, greatest order first. */
  private candidates({ filter, limit, cursor }: ListRequest): readonly [string, Listed][] {
    const now = new Date();
    const page = new NewestFirst<Listed>(limit + 1);
    for (const flow of this.local()) {
      const order = orderOf(flow);
      if ((cursor && order >= cursor) || !page.wants(order)) continue;
      const def = this.registry.get(flow.definition);
      if (def && matches(flow, filter, def, now)) page.add(order, flow);
    }
    return page.items();
  }

  /** The flows this replica holds: open ones and ended ones not yet written, then the recent ended. */
  private *local(): IterableIterator<Listed> {
    for (const flow of this.table.flowsInMemory()) yield { ...headlineOf(flow), instance: () => flow };
    for (const ended of this.table.recentEnded()) {
      let parsed: FlowInstance | undefined;
      yield { ...ended, instance: () => (parsed ??= JSON.parse(ended.body) as FlowInstance) };
    }
  }
}

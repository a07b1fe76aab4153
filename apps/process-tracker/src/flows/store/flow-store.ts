import type { FlowDefinition, FlowStyle } from '@flowscope/contracts';
import { isRevisionConflict, jetStreamReplicas, NatsClient } from '@flowscope/messaging';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { KV, KvEntry, QueuedIterator } from 'nats';
import { instanceKey, recordEvents, type FlowInstance, type TrackedEvent } from '../flow-instance';
import { OpenFlowIndex } from './open-flow-index';

interface Versioned {
  instance: FlowInstance;
  revision: number;
}

/** A write that changed an instance: what it was, and what it is now. */
export interface FlowChange {
  before?: FlowInstance;
  after: FlowInstance;
}

/** A change of the in-memory copy: before undefined for a new flow, after undefined for a deleted one. */
export type FlowCopyListener = (before: FlowInstance | undefined, after: FlowInstance | undefined) => void;

const MAX_CAS_ATTEMPTS = 50;

/**
 * Flow instances in the KV bucket `flows`, and a live copy of all of them in memory. Writes use
 * optimistic concurrency on the KV revision, so several tracker replicas never lose an update; the
 * copy follows every replica's writes through a KV watch, so each one answers the API for all flows.
 */
@Injectable()
export class FlowStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('FlowStore');
  private readonly flows = new Map<string, Versioned>();
  /** Open flows by start time, and counts per status: kept in step with `flows`. */
  readonly index = new OpenFlowIndex();
  /** The write in progress per key: writes of one flow never overlap, writes of different flows do. */
  private readonly turns = new Map<string, Promise<unknown>>();
  /** Told of every change the in-memory copy takes in (this replica's writes and others'). */
  private readonly listeners = new Set<FlowCopyListener>();
  private kv!: KV;
  private watcher?: QueuedIterator<KvEntry>;
  private ready!: Promise<void>;

  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  async onModuleInit(): Promise<void> {
    this.kv = await this.nats.js.views.kv('flows', { history: 1, replicas: jetStreamReplicas() });
    this.watcher = await this.kv.watch();
    let markReady!: () => void;
    this.ready = new Promise((resolve) => (markReady = resolve));
    void this.follow(this.watcher, markReady);
    // An empty bucket delivers nothing to a watcher: nothing to wait for.
    if ((await this.kv.status()).values === 0) markReady();
    await this.ready;
  }

  onApplicationShutdown(): void {
    this.watcher?.stop();
  }

  get(definition: string, key: string): FlowInstance | undefined {
    return this.byKvKey(instanceKey(definition, key));
  }

  byKvKey(kvKey: string): FlowInstance | undefined {
    return this.flows.get(kvKey)?.instance;
  }

  *all(): IterableIterator<FlowInstance> {
    for (const { instance } of this.flows.values()) yield instance;
  }

  /** Calls `listener` after every change of the copy; returns the unsubscribe function. */
  onChange(listener: FlowCopyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.flows.size;
  }

  /** Adds events to a flow, durably (the promise resolves once KV has it). */
  record(
    def: FlowDefinition,
    key: string,
    events: TrackedEvent[],
    style: FlowStyle | undefined,
    now: Date,
  ): Promise<FlowChange | undefined> {
    return this.change(instanceKey(def.name, key), (current) => recordEvents(current, def, key, events, style, now));
  }

  /**
   * Writes `change(current)` against the revision it was computed from; on a conflict (another
   * replica wrote first) re-reads and tries again. `change` returning undefined writes nothing.
   */
  change(kvKey: string, change: (current?: FlowInstance) => FlowInstance | undefined): Promise<FlowChange | undefined> {
    const previous = this.turns.get(kvKey);
    const turn = (previous ? previous.catch(() => undefined) : Promise.resolve()).then(() => this.write(kvKey, change));
    this.turns.set(kvKey, turn);
    const release = () => {
      if (this.turns.get(kvKey) === turn) this.turns.delete(kvKey);
    };
    turn.then(release, release);
    return turn;
  }

  private async write(
    kvKey: string,
    change: (current?: FlowInstance) => FlowInstance | undefined,
  ): Promise<FlowChange | undefined> {
    for (let attempt = 1; ; attempt++) {
      const current = this.flows.get(kvKey);
      const after = change(current?.instance);
      if (!after) return undefined;
      try {
        const body = JSON.stringify(after);
        const revision = current
          ? await this.kv.update(kvKey, body, current.revision)
          : await this.kv.create(kvKey, body);
        this.remember(kvKey, after, revision);
        return { before: current?.instance, after };
      } catch (error) {
        if (attempt >= MAX_CAS_ATTEMPTS || !isRevisionConflict(error)) throw error;
        await this.refresh(kvKey);
      }
    }
  }

  private async refresh(kvKey: string): Promise<void> {
    const entry = await this.kv.get(kvKey);
    if (entry && entry.operation === 'PUT') this.remember(kvKey, entry.json<FlowInstance>(), entry.revision);
  }

  private remember(kvKey: string, instance: FlowInstance, revision: number): void {
    const known = this.flows.get(kvKey);
    if (known && known.revision >= revision) return;
    this.flows.set(kvKey, { instance, revision });
    this.index.track(kvKey, known?.instance, instance);
    for (const listener of this.listeners) listener(known?.instance, instance);
  }

  private forget(kvKey: string): void {
    const known = this.flows.get(kvKey)?.instance;
    this.index.track(kvKey, known, undefined);
    this.flows.delete(kvKey);
    if (known) for (const listener of this.listeners) listener(known, undefined);
  }

  private async follow(watcher: QueuedIterator<KvEntry>, markReady: () => void): Promise<void> {
    try {
      for await (const entry of watcher) {
        // Most entries are this replica's own writes coming back: skip the parse when we hold them.
        const known = this.flows.get(entry.key);
        if (entry.operation === 'PUT' && (!known || known.revision < entry.revision))
          this.remember(entry.key, entry.json<FlowInstance>(), entry.revision);
        else if (entry.operation !== 'PUT') this.forget(entry.key);
        if (entry.delta === 0) markReady();
      }
    } catch (error) {
      this.logger.error(`KV watch of flows ended: ${String(error)}`);
    } finally {
      markReady();
    }
  }
}

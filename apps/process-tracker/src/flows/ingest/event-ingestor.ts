import { ContractError, EVENTS_STREAM } from '@flowscope/contracts';
import { ConsumerLagPoller, DeadLetters, DurableConsumption, ensureDurable, NatsClient } from '@flowscope/messaging';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AckPolicy, DeliverPolicy, type JsMsg } from 'nats';
import { TRACKER_CONFIG, type TrackerConfig } from '../../config';
import { DefinitionRegistry } from '../definitions/definition-registry';
import { TERMINAL } from '../evaluation/evaluate-flow';
import { instanceKey, type TrackedEvent } from '../flow-instance';
import { FlowOutputs } from '../outputs/flow-outputs';
import { trackerMetrics } from '../outputs/tracker-metrics';
import { FlowStore, type FlowChange } from '../store/flow-store';
import { readTrackedEvent, type Routed } from './read-tracked-event';

export const TRACKER_DURABLE = 'process-tracker';
const MAX_BATCHES_IN_FLIGHT = 4;

interface Group {
  routed: Routed;
  def: Routed['targets'][number]['def'];
  key: string;
  events: TrackedEvent[];
  msgs: JsMsg[];
}

/**
 * Reads every event of EVENTS through one durable consumer (shared by all tracker replicas) in
 * batches: groups them by flow instance, persists each instance once per batch, and acks a message
 * only after every instance it belongs to is durable. Refused messages go to dlq.process-tracker.
 */
@Injectable()
export class EventIngestor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EventIngestor');
  private consumption?: DurableConsumption;
  private lag?: ConsumerLagPoller;
  private readonly buffer: JsMsg[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private pumpScheduled = false;

  constructor(
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(DeadLetters) private readonly deadLetters: DeadLetters,
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
    @Inject(FlowStore) private readonly store: FlowStore,
    @Inject(FlowOutputs) private readonly outputs: FlowOutputs,
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const config = {
      durable_name: TRACKER_DURABLE,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_deliver: 20,
      ack_wait: 60e9,
      max_ack_pending: 20_000,
    };
    await ensureDurable(this.nats.jsm, config);
    this.consumption = await DurableConsumption.start({
      js: this.nats.js,
      nc: this.nats.nc,
      service: 'process-tracker',
      stream: EVENTS_STREAM,
      durable: TRACKER_DURABLE,
      maxMessages: this.config.TRACKER_BATCH_SIZE * 2,
      onMessage: (msg) => this.enqueue(msg),
    });
    this.lag = new ConsumerLagPoller({
      jsm: this.nats.jsm,
      service: 'process-tracker',
      stream: EVENTS_STREAM,
      consumers: [TRACKER_DURABLE],
    });
    this.lag.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.lag?.stop();
    await this.consumption?.close();
    // What was delivered before the close is still persisted and acked: a clean stop redelivers nothing.
    while (this.buffer.length > 0 || this.inFlight.size > 0) {
      this.pump();
      await Promise.allSettled([...this.inFlight]);
    }
  }

  /**
   * Batches form by themselves: what arrives while earlier batches are being persisted is the next
   * batch. Up to MAX_BATCHES_IN_FLIGHT are persisted at once (the store orders the writes of one
   * flow), so reading and evaluating a batch overlaps the KV round trips of the previous ones.
   */
  private enqueue(msg: JsMsg): void {
    this.buffer.push(msg);
    this.schedule();
  }

  /** One pump per turn of the event loop: the messages parsed off the socket meanwhile batch together. */
  private schedule(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.buffer.length > 0 && this.inFlight.size < MAX_BATCHES_IN_FLIGHT) {
      const batch = this.buffer.splice(0, this.config.TRACKER_BATCH_SIZE);
      const done: Promise<void> = this.process(batch)
        .catch((error: unknown) => {
          this.logger.error(`batch failed, redelivering: ${String(error)}`);
          for (const m of batch) m.nak(1000);
        })
        .finally(() => {
          this.inFlight.delete(done);
          this.schedule();
        });
      this.inFlight.add(done);
    }
  }

  private async process(batch: JsMsg[]): Promise<void> {
    const groups = new Map<string, Group>();
    const refusals: Promise<void>[] = [];
    for (const msg of batch) {
      let routed: Routed;
      try {
        routed = readTrackedEvent(msg, this.registry);
      } catch (error) {
        if (!(error instanceof ContractError)) throw error;
        refusals.push(this.refuse(msg, error));
        continue;
      }
      for (const { def, key } of routed.targets) {
        const id = instanceKey(def.name, key);
        const group = groups.get(id) ?? { routed, def, key, events: [], msgs: [] };
        group.events.push(routed.event);
        group.msgs.push(msg);
        if (routed.style === 'orchestration') group.routed = routed;
        groups.set(id, group);
      }
    }
    const failed = new Set<JsMsg>();
    await Promise.all([
      ...refusals,
      ...[...groups.values()].map((g) => this.persist(g).catch(() => g.msgs.forEach((m) => failed.add(m)))),
    ]);
    for (const msg of new Set([...groups.values()].flatMap((g) => g.msgs))) {
      if (failed.has(msg)) msg.nak(1000);
      else msg.ack();
    }
  }

  private async persist(group: Group): Promise<void> {
    const now = new Date();
    const change = await this.store.record(group.def, group.key, group.events, group.routed.style, now);
    if (!change) return;
    this.count(group, change);
    this.outputs.changed(group.def, change, now);
  }

  private count({ def, events }: Group, { before }: FlowChange): void {
    const known = new Set(before?.events.map((e) => e.id));
    for (const event of events) {
      const outcome = known.has(event.id)
        ? 'duplicate'
        : before && TERMINAL.has(before.status)
          ? 'late'
          : before && event.at < before.lastEventAt
            ? 'out_of_order'
            : 'accepted';
      known.add(event.id);
      trackerMetrics.events.inc({ definition: def.name, outcome });
    }
  }

  private async refuse(msg: JsMsg, error: ContractError): Promise<void> {
    const stored = await this.deadLetters.send(
      {
        subject: msg.subject,
        data: msg.data,
        headers: msg.headers,
        streamSequence: msg.info.streamSequence,
        deliveryCount: msg.info.deliveryCount,
      },
      { code: error.code, message: error.message, issues: error.issues },
    );
    // Once per message, as its dead letter: a redelivery after a lost PubAck is not a new rejection.
    if (stored) trackerMetrics.rejected.inc({ reason: error.code });
    msg.term(error.code);
  }
}

import { jetStreamReplicas, NatsClient } from '@flowscope/messaging';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DeliverPolicy, type KV } from 'nats';
import { TRACKER_CONFIG, type TrackerConfig } from '../../config';
import type { FlowInstance } from '../flow-instance';

/** The KV bucket of every flow's last checkpoint, `<definition>.<key>` → {@link FlowInstance}. */
export const FLOWS_BUCKET = 'flows';
/** Which flows were open at their last checkpoint, per partition: `p<n>.<definition>.<key>` → ''. */
export const OPEN_FLOWS_BUCKET = 'flows-open';
/** Per partition, the stream sequence its checkpoint covers: `p<n>` → {@link Position}. */
export const POSITIONS_BUCKET = 'tracker-positions';

/** What a partition's checkpoint covers: every EVENTS message up to `seq` is in the stored flows. */
export interface Position {
  seq: number;
  at: string;
  replica: string;
}

/** One checkpoint: the flows that changed, the open-flow index entries to add and drop, the positions. */
export interface Checkpoint {
  flows: { kvKey: string; body: string }[];
  opened: string[];
  closed: string[];
  positions: Map<number, number>;
}

/** Writes in flight at once: enough to fill the connection, few enough not to time out under load. */
const WRITE_WINDOW = 2048;

export const partitionToken = (partition: number) => `p${partition}`;
export const openKey = (partition: number, kvKey: string) => `${partitionToken(partition)}.${kvKey}`;

/**
 * The tracker's checkpoints in NATS KV (replicated like the streams on a cluster). Flows are written
 * first, then the open-flow index, then the positions: a crash between them leaves flows ahead of
 * their position, which the replay from that position recognises (FlowState.lastSeq) and skips.
 */
@Injectable()
export class CheckpointStore implements OnModuleInit {
  private readonly logger = new Logger('CheckpointStore');
  private flows!: KV;
  private open!: KV;
  private positions!: KV;

  constructor(
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const replicas = jetStreamReplicas();
    const ttl = this.config.FLOW_RETENTION;
    this.flows = await this.nats.js.views.kv(FLOWS_BUCKET, { history: 1, replicas, ttl });
    this.open = await this.nats.js.views.kv(OPEN_FLOWS_BUCKET, { history: 1, replicas, ttl });
    this.positions = await this.nats.js.views.kv(POSITIONS_BUCKET, { history: 1, replicas });
    // A bucket keeps the options it was created with: give one made before FLOW_RETENTION its retention.
    for (const bucket of [FLOWS_BUCKET, OPEN_FLOWS_BUCKET]) await this.retain(`KV_${bucket}`, ttl);
  }

  async getFlow(kvKey: string): Promise<FlowInstance | undefined> {
    const entry = await this.flows.get(kvKey);
    return entry && entry.operation === 'PUT' && entry.length > 0 ? entry.json<FlowInstance>() : undefined;
  }

  /** The flows a partition's last checkpoint left open. */
  async openFlows(partition: number): Promise<FlowInstance[]> {
    const prefix = `${partitionToken(partition)}.`;
    const keys: string[] = [];
    for await (const key of await this.open.keys(`${prefix}>`)) keys.push(key.slice(prefix.length));
    const flows = await window(keys, (kvKey) => this.getFlow(kvKey));
    return flows.filter((f): f is FlowInstance => f !== undefined);
  }

  /**
   * The last `count` flows written (the tail of the bucket's stream: with one revision per key, the
   * most recently changed flows), for the lists of a replica that takes partitions over.
   */
  async recentFlows(count: number): Promise<{ kvKey: string; flow: FlowInstance; body: string }[]> {
    const stream = `KV_${FLOWS_BUCKET}`;
    const { state } = await this.nats.jsm.streams.info(stream);
    if (count === 0 || state.messages === 0) return [];
    const start = Math.max(state.first_seq, state.last_seq - count + 1);
    const consumer = await this.nats.js.consumers.get(stream, {
      name_prefix: 'process-tracker-recent',
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: start,
    });
    const out: { kvKey: string; flow: FlowInstance; body: string }[] = [];
    const prefix = `$KV.${FLOWS_BUCKET}.`;
    const messages = await consumer.consume({ max_messages: 1000 });
    for await (const msg of messages) {
      if (msg.data.length > 0) {
        const body = msg.string();
        out.push({ kvKey: msg.subject.slice(prefix.length), flow: JSON.parse(body) as FlowInstance, body });
      }
      if (msg.info.streamSequence >= state.last_seq || msg.info.pending === 0) break;
    }
    return out;
  }

  async position(partition: number): Promise<number> {
    const entry = await this.positions.get(partitionToken(partition));
    return entry && entry.operation === 'PUT' && entry.length > 0 ? entry.json<Position>().seq : 0;
  }

  /** Every partition's stored position (for `GET /partitions`). */
  async allPositions(partitions: number): Promise<(Position | undefined)[]> {
    return window(
      Array.from({ length: partitions }, (_, p) => p),
      async (p) => {
        const entry = await this.positions.get(partitionToken(p));
        return entry && entry.operation === 'PUT' && entry.length > 0 ? entry.json<Position>() : undefined;
      },
    );
  }

  async write(checkpoint: Checkpoint, replica: string): Promise<void> {
    await window(checkpoint.flows, ({ kvKey, body }) => this.flows.put(kvKey, body));
    await window(checkpoint.opened, (key) => this.open.put(key, ''));
    await window(checkpoint.closed, (key) => this.open.delete(key));
    const at = new Date().toISOString();
    await window([...checkpoint.positions], ([p, seq]) =>
      this.positions.put(partitionToken(p), JSON.stringify({ seq, at, replica } satisfies Position)),
    );
  }

  private async retain(stream: string, ttlMs: number): Promise<void> {
    const jsm = this.nats.jsm;
    const info = await jsm.streams.info(stream);
    const maxAge = ttlMs * 1_000_000;
    if (info.config.max_age === maxAge) return;
    this.logger.log(`setting the retention of ${stream} to ${ttlMs} ms (FLOW_RETENTION)`);
    await jsm.streams.update(stream, { ...info.config, max_age: maxAge });
  }
}

/** Runs `each` over `items` with at most WRITE_WINDOW in flight; results in order. */
async function window<T, R>(items: readonly T[], each: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await each(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_WINDOW, items.length) }, lane));
  return results;
}

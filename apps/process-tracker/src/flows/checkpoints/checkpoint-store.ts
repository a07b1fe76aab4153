import { isRevisionConflict, jetStreamReplicas, NatsClient } from '@flowscope/messaging';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DeliverPolicy, type JetStreamManager, type KV, type KvEntry, type QueuedIterator, type StoredMsg } from 'nats';
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

/** A flow as stored, with the KV revision it was read at (the next write expects it). */
export interface Stored {
  flow: FlowInstance;
  revision: number;
}

/** How a checkpoint's write of one flow went. */
export type WriteOutcome = { revision: number } | { conflict: true } | { error: unknown };

/** One checkpoint: the flows that changed, the open-flow index entries to add and drop, the positions. */
export interface Checkpoint {
  /** `revision` 0: a flow not stored yet (created, never overwritten). */
  flows: { kvKey: string; body: string; revision: number }[];
  opened: string[];
  closed: string[];
  positions: Map<number, number>;
}

/** JetStream's batched direct get, as nats.js 2.29 has it (`jsm.direct`; not in its types). */
interface BatchedDirectGet {
  direct: {
    getBatch(stream: string, opts: { multi_last: string[]; batch?: number }): Promise<QueuedIterator<StoredMsg>>;
  };
}

/**
 * Writes in flight at once: a round of a checkpoint takes about WRITE_ROUNDS round trips, within
 * MIN..MAX_WRITE_WINDOW. A live stream's checkpoint (a few thousand flows) keeps few writes in
 * flight, so that their PubAcks, and the writes they start, come back in small bursts between the
 * events being read: with 256 at once a round held the event loop for 100-450 ms (lag p99 177-322 ms
 * at 5,000 events/s), with 64 for much less (79-99 ms). A backlog's checkpoint (tens of thousands of
 * flows, reading paused for it) takes the widest window: 64 slowed a drain down (BENCHMARKS.md, issue 13).
 */
const [MIN_WRITE_WINDOW, MAX_WRITE_WINDOW, WRITE_ROUNDS] = [32, 256, 32];
const writeWindow = (items: number) =>
  Math.min(MAX_WRITE_WINDOW, Math.max(MIN_WRITE_WINDOW, Math.ceil(items / WRITE_ROUNDS)));

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
    return stored<FlowInstance>(entry);
  }

  /**
   * Several flows in one round trip (JetStream's batched direct get of the last message of each
   * key's subject); keys not in the map are not stored.
   */
  // `direct` is there at run time (nats.js 2.29's JetStreamManagerImpl); its type omits it.
  async getFlows(kvKeys: readonly string[]): Promise<Map<string, Stored>> {
    const found = new Map<string, Stored>();
    if (kvKeys.length === 0) return found;
    const prefix = `$KV.${FLOWS_BUCKET}.`;
    const read = async () => {
      const messages = await (this.nats.jsm as JetStreamManager & BatchedDirectGet).direct.getBatch(
        `KV_${FLOWS_BUCKET}`,
        {
          multi_last: kvKeys.map((k) => `${prefix}${k}`),
          batch: kvKeys.length,
        },
      );
      for await (const msg of messages)
        if (msg.data.length > 0)
          found.set(msg.subject.slice(prefix.length), { flow: msg.json<FlowInstance>(), revision: msg.seq });
    };
    try {
      // nats.js's batch iterator never ends when its request times out (a NATS node gone): bound it.
      await within(read(), BATCH_GET_TIMEOUT_MS, `a batched get of ${kvKeys.length} flows`);
    } catch (error) {
      // None of the keys is stored: the server answers the batch with "no results".
      if (!/no results|not found/i.test(String(error))) throw error;
    }
    return found;
  }

  /** The flows a partition's last checkpoint left open. */
  async openFlows(partition: number): Promise<Stored[]> {
    const prefix = `${partitionToken(partition)}.`;
    const keys: string[] = [];
    for await (const key of await this.open.keys(`${prefix}>`)) keys.push(key.slice(prefix.length));
    const flows = await window(keys, async (kvKey): Promise<Stored | undefined> => {
      const entry = await this.flows.get(kvKey);
      const flow = stored<FlowInstance>(entry);
      return flow && { flow, revision: entry!.revision };
    });
    return flows.filter((f): f is Stored => f !== undefined);
  }

  /**
   * The last `count` flows written (the tail of the bucket's stream: with one revision per key, the
   * most recently changed flows), for the lists of a replica that takes partitions over.
   */
  async recentFlows(count: number): Promise<(Stored & { kvKey: string; body: string })[]> {
    const stream = `KV_${FLOWS_BUCKET}`;
    const { state } = await this.nats.jsm.streams.info(stream);
    if (count === 0 || state.messages === 0) return [];
    const start = Math.max(state.first_seq, state.last_seq - count + 1);
    const consumer = await this.nats.js.consumers.get(stream, {
      name_prefix: 'process-tracker-recent',
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: start,
    });
    const out: (Stored & { kvKey: string; body: string })[] = [];
    const prefix = `$KV.${FLOWS_BUCKET}.`;
    const messages = await consumer.consume({ max_messages: 1000 });
    for await (const msg of messages) {
      if (msg.data.length > 0) {
        const body = msg.string();
        const kvKey = msg.subject.slice(prefix.length);
        out.push({ kvKey, flow: JSON.parse(body) as FlowInstance, body, revision: msg.info.streamSequence });
      }
      if (msg.info.streamSequence >= state.last_seq || msg.info.pending === 0) break;
    }
    return out;
  }

  async position(partition: number): Promise<number> {
    const entry = await this.positions.get(partitionToken(partition));
    return stored<Position>(entry)?.seq ?? 0;
  }

  /** Every partition's stored position (for `GET /partitions`). */
  async allPositions(partitions: number): Promise<(Position | undefined)[]> {
    return window(
      Array.from({ length: partitions }, (_, p) => p),
      async (p) => {
        const entry = await this.positions.get(partitionToken(p));
        return stored<Position>(entry);
      },
    );
  }

  /**
   * Writes a checkpoint's flows. Each is written against the revision this replica last wrote or
   * read (created when new). A conflict means another replica wrote it since, i.e. this replica no
   * longer owns its partition (a lease that lapsed), and its stale state must not overwrite the
   * owner's; unless the stored copy is this replica's own (a write whose ack was lost, a NATS node
   * gone), which is then overwritten at its revision.
   */
  async writeFlows(flows: Checkpoint['flows'], replica: string): Promise<WriteOutcome[]> {
    return window(flows, async ({ kvKey, body, revision }): Promise<WriteOutcome> => {
      try {
        return { revision: await this.writeAt(kvKey, body, revision) };
      } catch (error) {
        if (!isRevisionConflict(error)) return { error };
        try {
          const entry = await this.flows.get(kvKey);
          if (!entry || stored<FlowInstance>(entry)?.writer !== replica) return { conflict: true };
          return { revision: await this.writeAt(kvKey, body, entry.revision) };
        } catch (again) {
          return isRevisionConflict(again) ? { conflict: true } : { error: again };
        }
      }
    });
  }

  /** The rest of a checkpoint, once its flows are written: the open-flow index, then the positions. */
  async writeIndexAndPositions(checkpoint: Omit<Checkpoint, 'flows'>, replica: string): Promise<void> {
    await window(checkpoint.opened, (key) => this.open.put(key, ''));
    await window(checkpoint.closed, (key) => this.open.delete(key));
    const at = new Date().toISOString();
    await window([...checkpoint.positions], ([p, seq]) =>
      this.positions.put(partitionToken(p), JSON.stringify({ seq, at, replica } satisfies Position)),
    );
  }

  private writeAt(kvKey: string, body: string, revision: number): Promise<number> {
    return revision > 0 ? this.flows.update(kvKey, body, revision) : this.flows.create(kvKey, body);
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

const BATCH_GET_TIMEOUT_MS = 5000;

/** A KV entry's JSON value; undefined for none, a delete or purge marker, or an empty value. */
function stored<T>(entry: KvEntry | null): T | undefined {
  return entry && entry.operation === 'PUT' && entry.length > 0 ? entry.json<T>() : undefined;
}

/** `work`, or a rejection once `ms` have passed without it settling. */
function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Runs `each` over `items` with at most writeWindow(items) in flight; results in order. */
async function window<T, R>(items: readonly T[], each: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await each(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(writeWindow(items.length), items.length) }, lane));
  return results;
}

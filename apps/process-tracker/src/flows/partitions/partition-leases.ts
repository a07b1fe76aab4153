import { isRevisionConflict, jetStreamReplicas, NatsClient } from '@flowscope/messaging';
import { natsAuth } from '@flowscope/runtime';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { KV } from 'nats';
import { hostname } from 'node:os';
import { TRACKER_CONFIG, type TrackerConfig } from '../../config';
import { partitionToken } from '../checkpoints/checkpoint-store';

/** Partition leases and replica heartbeats: `p<n>` → owner, `replica.<name>` → '' (both expire). */
export const LEASES_BUCKET = 'tracker-leases';

/** What the owner of partitions does when one arrives or leaves. */
export interface PartitionOwner {
  /** Load the partition from its checkpoint and start reading it. */
  acquired(partition: number): Promise<void>;
  /** Checkpoint the partition (it is being handed over) or not (`lost`: another replica may own it). */
  released(partition: number, lost: boolean): Promise<void>;
  /** After each round of lease changes: read on from the partitions now owned. */
  afterRound(): Promise<void>;
}

/**
 * Which partitions this replica owns, kept in the KV bucket `tracker-leases` whose entries expire
 * LEASE_TTL_MS after their last write (the bucket's max_age): a replica renews each lease it holds
 * with a compare-and-set on its revision, so a renewal after a lapse fails instead of taking the lease
 * back. A replica that dies stops renewing; its leases expire and the others create them. Every
 * replica also renews a heartbeat key, and aims at an even share of the partitions among the replicas
 * it sees: one that holds more releases the extra ones (after a checkpoint), one that holds fewer
 * takes free ones. No consensus of its own: KV's create (only if absent) and update (only at a
 * revision) decide.
 */
@Injectable()
export class PartitionLeases {
  private readonly logger = new Logger('PartitionLeases');
  readonly replica: string;
  private kv!: KV;
  private connection?: NatsClient;
  private readonly held = new Map<number, number>();
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private owner?: PartitionOwner;
  private stopped = false;
  private others: string[] = [];
  /** When each held lease was last renewed (or taken). */
  private readonly renewedAt = new Map<number, number>();

  constructor(@Inject(TRACKER_CONFIG) private readonly config: TrackerConfig) {
    this.replica = config.TRACKER_REPLICA ?? `${hostname().replace(/[^A-Za-z0-9_-]/g, '-')}-${process.pid}`;
  }

  /** Partitions owned now. */
  owned(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /** The other replicas seen in the last round of heartbeats. */
  peers(): string[] {
    return this.others;
  }

  owns(partition: number): boolean {
    return this.held.has(partition);
  }

  async start(owner: PartitionOwner): Promise<void> {
    this.owner = owner;
    // A connection of their own: renewals must not queue behind a checkpoint's thousands of writes.
    this.connection = await NatsClient.connect(this.config.NATS_URL, 'process-tracker-leases', natsAuth(this.config));
    this.kv = await this.connection.js.views.kv(LEASES_BUCKET, {
      history: 1,
      replicas: jetStreamReplicas(),
      ttl: this.config.LEASE_TTL_MS,
    });
    await this.rebalance();
    this.logger.log(
      `replica ${this.replica} holds partitions [${this.owned().join(', ')}] of ${this.config.TRACKER_PARTITIONS}`,
    );
    const every = Math.max(100, Math.floor(this.config.LEASE_TTL_MS / 3));
    this.timer = setInterval(() => {
      this.round ??= this.rebalance()
        .catch((error: unknown) => this.logger.warn(`lease round failed: ${String(error)}`))
        .finally(() => (this.round = undefined));
    }, every);
  }

  /** Hands every partition over (checkpointed) and removes this replica's heartbeat. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.round;
    for (const partition of this.owned()) await this.release(partition);
    await this.kv?.delete(`replica.${this.replica}`).catch(() => undefined);
    await this.connection?.drain();
  }

  /** Gives a partition up without a checkpoint: another replica has shown it owns it now. */
  async lose(partition: number): Promise<void> {
    if (!this.held.delete(partition)) return;
    await this.owner!.released(partition, true);
  }

  /** Owner of each partition now, as the leases say (for `GET /partitions`). */
  async owners(): Promise<(string | null)[]> {
    return Promise.all(
      Array.from({ length: this.config.TRACKER_PARTITIONS }, async (_, p) => {
        const entry = await this.kv.get(partitionToken(p));
        return entry && entry.operation === 'PUT' ? entry.string() : null;
      }),
    );
  }

  private async rebalance(): Promise<void> {
    if (this.stopped) return;
    // Renew first, all at once: a lease whose renewal fails has lapsed and may be someone else's already.
    const [, ...renewals] = await Promise.allSettled([
      this.kv.put(`replica.${this.replica}`, ''),
      ...[...this.held].map(async ([partition, revision]) => {
        try {
          this.held.set(partition, await this.kv.update(partitionToken(partition), this.replica, revision));
          this.renewedAt.set(partition, Date.now());
        } catch (error) {
          // Lost only when the lease is someone else's now (or lapsed): a renewal that merely failed
          // (JetStream electing a leader after a NATS node died, a time-out) is tried again next round.
          const lapsed = Date.now() - (this.renewedAt.get(partition) ?? 0) >= this.config.LEASE_TTL_MS;
          if (isRevisionConflict(error) || lapsed) return { partition, error };
          this.logger.warn(`cannot renew the lease of partition ${partition} yet: ${String(error)}`);
        }
      }),
    ]);
    for (const renewal of renewals) {
      const lost = renewal.status === 'fulfilled' ? renewal.value : undefined;
      if (!lost) continue;
      this.logger.warn(`lost the lease of partition ${lost.partition}: ${String(lost.error)}`);
      this.held.delete(lost.partition);
      await this.owner!.released(lost.partition, true);
    }
    const replicas = new Set<string>();
    for await (const key of await this.kv.keys('replica.>')) replicas.add(key.slice('replica.'.length));
    replicas.add(this.replica);
    this.others = [...replicas].filter((r) => r !== this.replica);
    const share = this.shareOf([...replicas].sort());
    while (this.held.size > share) await this.release(this.owned()[this.held.size - 1]);
    let acquired = false;
    for (let p = 0; p < this.config.TRACKER_PARTITIONS && this.held.size < share; p++) {
      if (this.held.has(p)) continue;
      let revision: number;
      try {
        revision = await this.kv.create(partitionToken(p), this.replica);
      } catch {
        continue; // held by another replica
      }
      this.held.set(p, revision);
      this.renewedAt.set(p, Date.now());
      try {
        await this.owner!.acquired(p);
        acquired = true;
      } catch (error) {
        this.logger.error(`cannot take partition ${p} over: ${String(error)}`);
        await this.release(p, false);
      }
    }
    if (acquired) await this.owner!.afterRound();
  }

  /** Partitions / replicas, the first ones in name order taking one more when it does not divide. */
  private shareOf(replicas: string[]): number {
    const base = Math.floor(this.config.TRACKER_PARTITIONS / replicas.length);
    const extra = this.config.TRACKER_PARTITIONS % replicas.length;
    return base + (replicas.indexOf(this.replica) < extra ? 1 : 0);
  }

  private async release(partition: number, checkpoint = true): Promise<void> {
    const revision = this.held.get(partition);
    if (revision === undefined) return;
    if (checkpoint) await this.owner!.released(partition, false);
    this.held.delete(partition);
    await this.kv.delete(partitionToken(partition), { previousSeq: revision }).catch(() => undefined);
  }
}

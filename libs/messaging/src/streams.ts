import { DLQ_STREAM, DLQ_STREAM_SUBJECTS, EVENTS_STREAM, EVENTS_STREAM_SUBJECTS } from '@flowscope/contracts';
import { isDeepStrictEqual } from 'node:util';
import { RetentionPolicy, StorageType, type ConsumerConfig, type JetStreamManager, type StreamConfig } from 'nats';
import { jetStreamReplicas } from './replicas';

const DAY_NS = 24 * 60 * 60 * 1e9;

/** The values of `actual` at the keys `wanted` sets. */
function pick(actual: object, wanted: object): Record<string, unknown> {
  return Object.fromEntries(Object.keys(wanted).map((key) => [key, (actual as Record<string, unknown>)[key]]));
}

/** EVENTS keeps domain events; DLQ keeps every service's dead letters. Both on disk. */
export const streamConfigs: Array<Partial<StreamConfig> & { name: string; subjects: string[] }> = [
  {
    name: EVENTS_STREAM,
    subjects: EVENTS_STREAM_SUBJECTS,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: 7 * DAY_NS,
    // A publisher that crashed before its ack re-publishes the same event id: drop the copy.
    duplicate_window: 5 * 60 * 1e9,
  },
  {
    name: DLQ_STREAM,
    subjects: DLQ_STREAM_SUBJECTS,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: 7 * DAY_NS,
  },
];

/**
 * Creates the streams, or updates them in place: safe to run at every service start. A stream that
 * is already as configured is only read, which is all a user without the right to manage streams
 * (the process tracker, deploy/nats/permissions.ts) may do. Each stream has `replicas` copies
 * (default NATS_REPLICAS); an existing stream's replicas are never lowered (a client started without
 * the setting must not undo a cluster's).
 */
export async function ensureStreams(jsm: JetStreamManager, replicas = jetStreamReplicas()): Promise<void> {
  for (const base of streamConfigs) {
    const existing = await jsm.streams.info(base.name).catch(() => undefined);
    const config = { ...base, num_replicas: Math.max(replicas, existing?.config.num_replicas ?? 1) };
    if (existing && isDeepStrictEqual(pick(existing.config, config), config)) continue;
    if (!existing) {
      await jsm.streams.add(config).catch(async (error: Error) => {
        // Another service created it between our info and add.
        if (!/already in use|already exists/i.test(error.message)) throw error;
        await jsm.streams.update(config.name, config);
      });
    } else {
      await jsm.streams.update(config.name, { ...existing.config, ...config });
    }
  }
}

/**
 * Creates a durable consumer on EVENTS, or brings an existing one to `config`: safe at every start,
 * and when replicas race (the loser of a create updates instead).
 */
export async function ensureDurable(
  jsm: JetStreamManager,
  config: Partial<ConsumerConfig> & { durable_name: string },
): Promise<void> {
  const name = config.durable_name;
  const existing = await jsm.consumers.info(EVENTS_STREAM, name).catch(() => undefined);
  if (existing) {
    await jsm.consumers.update(EVENTS_STREAM, name, config);
    return;
  }
  await jsm.consumers.add(EVENTS_STREAM, config).catch(async (error: Error) => {
    if (!/already (in use|exists)/i.test(error.message)) throw error;
    await jsm.consumers.update(EVENTS_STREAM, name, config);
  });
}

// NATS work per order, counted by nats-server itself: `/varz` in_msgs + out_msgs include every
// publish, PubAck, pull request, delivery, ack, KV get/put and watch echo, whoever sent it.
import { httpJson } from '../../deploy/launch/probe';
import type { BenchSystem } from './system';

interface Varz {
  in_msgs?: number;
  out_msgs?: number;
}

/** Messages into and out of the system's nats-server so far. */
export async function natsMessagesSoFar(sys: BenchSystem): Promise<number> {
  const { body } = await httpJson<Varz>(`${sys.system.nats.monitorUrl}/varz`);
  return (body.in_msgs ?? 0) + (body.out_msgs ?? 0);
}

interface Connz {
  connections?: { name?: string; in_msgs?: number; out_msgs?: number }[];
}

/**
 * Messages in + out so far per client connection name (each service connects under its own name,
 * the driver's watcher as `bench-outcomes`): where the messages per order go. Open connections only.
 */
export async function natsMessagesByClient(sys: BenchSystem): Promise<Record<string, number>> {
  const { body } = await httpJson<Connz>(`${sys.system.nats.monitorUrl}/connz?limit=1024`);
  const out: Record<string, number> = {};
  for (const c of body.connections ?? []) {
    const name = c.name || 'unnamed';
    out[name] = (out[name] ?? 0) + (c.in_msgs ?? 0) + (c.out_msgs ?? 0);
  }
  return out;
}

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

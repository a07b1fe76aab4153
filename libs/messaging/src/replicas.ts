/**
 * How many copies JetStream keeps of each stream and KV bucket the services create: `NATS_REPLICAS`
 * (1 to 5, default 1; 3 on a three-node cluster, so losing a node loses nothing). Read at boot: a bad
 * value stops the service with a message that names the variable.
 */
export function jetStreamReplicas(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.NATS_REPLICAS;
  if (raw === undefined || raw === '') return 1;
  const replicas = Number(raw);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) {
    throw new Error(`invalid configuration: NATS_REPLICAS=${JSON.stringify(raw)}: a whole number from 1 to 5`);
  }
  return replicas;
}

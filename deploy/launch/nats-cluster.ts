import { freePorts, LOOPBACK } from './ports';
import { startNatsServer, type NatsServerHandle, type NatsServerOptions } from './nats-server';

/** Options of {@link startNatsCluster}: those of each server, but ports and names, which it picks. */
export interface NatsClusterOptions extends Omit<NatsServerOptions, 'port' | 'httpPort' | 'name' | 'storeDir'> {
  /** How many servers (default 3: JetStream's smallest quorum that survives the loss of one). */
  size?: number;
  /** Cluster name; the servers are `<name>-1`, `<name>-2`, … (default `nats`). */
  name?: string;
}

/** A JetStream cluster of nats-server processes on 127.0.0.1, each with its own store directory. */
export interface NatsClusterHandle {
  readonly servers: readonly NatsServerHandle[];
  /** Every server's client URL, comma-separated, as NATS_URL takes them. */
  readonly urls: string;
  stop(): Promise<void>;
}

/**
 * Starts `size` servers with JetStream clustering (cluster routes to one another, a `server_name`
 * each) and resolves once every one reports healthy, which a clustered server does only once the
 * JetStream meta group has a leader. A node stopped with `kill9()` comes back with `restart()` on its
 * ports and store.
 */
export async function startNatsCluster(opts: NatsClusterOptions = {}): Promise<NatsClusterHandle> {
  const { size = 3, name = 'nats', ...serverOptions } = opts;
  const ports = await freePorts(size * 3);
  const routePorts = ports.slice(2 * size);
  const routes = routePorts.map((p) => `nats://${LOOPBACK}:${p}`).join(',');
  const starting = Array.from({ length: size }, (_, i) =>
    startNatsServer({
      ...serverOptions,
      port: ports[i],
      httpPort: ports[size + i],
      name: `${name}-${i + 1}`,
      args: [
        '--cluster_name',
        name,
        '--cluster',
        `nats://${LOOPBACK}:${routePorts[i]}`,
        '--routes',
        routes,
        ...(serverOptions.args ?? []),
      ],
    }),
  );
  const settled = await Promise.allSettled(starting);
  const servers = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
  };
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return { servers, urls: servers.map((s) => s.url).join(','), stop };
}

import { APP_NAMES, APPS, AppProcess, type AppName } from './apps';
import { nodeRuntime, type NodeRuntime } from './binaries';
import { startJaeger, type JaegerHandle, type JaegerPorts } from './jaeger';
import { generateNatsUsers, natsClientEnv, setUpStreams } from './nats-auth';
import { startNatsCluster } from './nats-cluster';
import { startNatsServer, type NatsServerHandle } from './nats-server';
import { freePort, freePorts, LOOPBACK } from './ports';
import { startPrometheus, type PrometheusHandle, type ScrapeTarget } from './prometheus';

export interface SystemOptions {
  /** Which services to run (default all). */
  apps?: readonly AppName[];
  /** Run Jaeger and export traces to it (default true). */
  tracing?: boolean;
  /**
   * Run Prometheus, scraping every service and, with tracing, Jaeger's span metrics, which Jaeger's
   * Monitor tab (`/api/metrics/*`) then reads back from it (default false; `npm start` turns it on).
   */
  prometheus?: boolean;
  /** Prometheus' scrape interval and the span metrics' flush interval (default 1 s, 5 s with standardPorts). */
  scrapeIntervalMs?: number;
  /** The usual ports of ARCHITECTURE.md (npm start) instead of free ones (tests). */
  standardPorts?: boolean;
  /** Keep JetStream data here across runs (default a temp dir removed on stop). */
  natsStoreDir?: string;
  logDir?: string;
  /** Extra environment for every service. */
  appEnv?: NodeJS.ProcessEnv;
  /** The Node.js the services run on (default `nodeRuntime()`). */
  node?: NodeRuntime;
  /**
   * Run a JetStream cluster of this many nats-servers instead of one (default 1); the services get
   * every URL and `NATS_REPLICAS` = this size, so streams and KV buckets are replicated on each node.
   */
  natsClusterSize?: number;
  /**
   * NATS requires the users of deploy/nats/permissions.ts, with random passwords for this run;
   * each service connects as itself, tests as `system.nats.users.admin` (default true).
   */
  auth?: boolean;
  /** Told about each step, for progress output. */
  onProgress?: (message: string) => void;
}

/** NATS, Jaeger, Prometheus and the services as real processes: what `npm start` runs and each e2e file owns. */
export interface FlowscopeSystem {
  /** The nats-server (the first one of a cluster). */
  nats: NatsServerHandle;
  /** Every nats-server: one, or the cluster's. */
  natsServers: readonly NatsServerHandle[];
  /** Every server's URL, comma-separated (the services' NATS_URL). */
  natsUrl: string;
  jaeger?: JaegerHandle;
  prometheus?: PrometheusHandle;
  apps: Map<AppName, AppProcess>;
  app(name: AppName): AppProcess;
  /** Stops the services first (they drain), then Jaeger, Prometheus and NATS. */
  stop(): Promise<void>;
}

const STANDARD_JAEGER_PORTS: JaegerPorts = {
  otlpGrpc: 4317,
  otlpHttp: 4318,
  queryHttp: 16686,
  queryGrpc: 16685,
  health: 13133,
};
const STANDARD_SPAN_METRICS_PORT = 8889;
const STANDARD_PROMETHEUS_PORT = 9090;

interface Started {
  nats?: NatsServerHandle;
  natsServers: NatsServerHandle[];
  jaeger?: JaegerHandle;
  prometheus?: PrometheusHandle;
  apps: Map<AppName, AppProcess>;
}

export async function startSystem(options: SystemOptions = {}): Promise<FlowscopeSystem> {
  const progress = options.onProgress ?? (() => undefined);
  const names = options.apps ?? APP_NAMES;
  const standard = options.standardPorts ?? false;
  const scrapeIntervalMs = options.scrapeIntervalMs ?? (standard ? 5000 : 1000);
  const started: Started = { apps: new Map(), natsServers: [] };
  const stop = async () => {
    await Promise.all([...started.apps.values()].map((app) => app.stop()));
    await started.jaeger?.stop();
    await started.prometheus?.stop();
    await Promise.all(started.natsServers.map((server) => server.stop()));
  };
  try {
    const auth = options.auth ?? true;
    const users = auth ? generateNatsUsers() : undefined;
    const clusterSize = options.natsClusterSize ?? 1;
    if (clusterSize > 1) {
      if (standard || options.natsStoreDir)
        throw new Error('a NATS cluster runs on free ports with temporary stores only');
      progress(`starting a JetStream cluster of ${clusterSize} nats-servers${auth ? ', a user per service' : ''}`);
      started.natsServers = [
        ...(await startNatsCluster({ size: clusterSize, logDir: options.logDir, ...(users ? { auth: users } : {}) }))
          .servers,
      ];
    } else {
      progress(`starting nats-server (JetStream${auth ? ', a user per service' : ''})`);
      started.natsServers = [
        await startNatsServer({
          ...(standard ? { port: 4222, httpPort: 8222 } : {}),
          ...(options.natsStoreDir ? { storeDir: options.natsStoreDir } : {}),
          ...(users ? { auth: users } : {}),
          name: 'nats',
          logDir: options.logDir,
        }),
      ];
    }
    started.nats = started.natsServers[0];
    const natsUrl = started.natsServers.map((server) => server.url).join(',');
    if (auth) await setUpStreams(started.nats);
    // Prometheus' port is chosen first: Jaeger's config names it, and Prometheus' config names Jaeger's span metrics.
    const prometheusPort = options.prometheus ? (standard ? STANDARD_PROMETHEUS_PORT : await freePort()) : undefined;
    if (options.tracing ?? true) {
      progress(prometheusPort ? 'starting Jaeger (with span metrics for its Monitor tab)' : 'starting Jaeger');
      started.jaeger = await startJaeger({
        name: 'jaeger',
        logDir: options.logDir,
        ...(standard ? { ports: { ...STANDARD_JAEGER_PORTS, spanMetrics: STANDARD_SPAN_METRICS_PORT } } : {}),
        ...(prometheusPort
          ? { spm: { prometheusUrl: `http://${LOOPBACK}:${prometheusPort}`, flushIntervalMs: scrapeIntervalMs } }
          : {}),
      });
    }
    const ports = standard ? names.map((n) => APPS[n]) : await freePorts(names.length);
    if (prometheusPort) {
      progress('starting Prometheus');
      const targets: ScrapeTarget[] = names.map((name, i) => ({
        job: name,
        service: name,
        address: `${LOOPBACK}:${ports[i]}`,
      }));
      if (started.jaeger?.spanMetricsAddress)
        targets.push({ job: 'spanmetrics', address: started.jaeger.spanMetricsAddress });
      started.prometheus = await startPrometheus({
        targets,
        port: prometheusPort,
        scrapeIntervalMs,
        name: 'prometheus',
        logDir: options.logDir,
      });
    }
    const node = options.node ?? nodeRuntime();
    progress(`starting ${names.join(', ')} (Node ${node.version}${node.args.length ? ` ${node.args.join(' ')}` : ''})`);
    for (const [i, name] of names.entries()) {
      started.apps.set(
        name,
        new AppProcess(name, {
          natsUrl,
          httpPort: ports[i],
          otlpUrl: started.jaeger?.otlpHttpUrl,
          env: {
            ...natsClientEnv(started.nats.users?.[name]),
            ...(clusterSize > 1 ? { NATS_REPLICAS: String(clusterSize) } : {}),
            // The console (served by the tracker) fetches each flow's traces from Jaeger's API.
            ...(name === 'process-tracker' && started.jaeger ? { JAEGER_QUERY_URL: started.jaeger.queryUrl } : {}),
            ...options.appEnv,
          },
          logDir: options.logDir,
          node,
        }),
      );
    }
    await Promise.all([...started.apps.values()].map((app) => app.start()));
  } catch (error) {
    await stop();
    throw error;
  }
  const { nats, natsServers, jaeger, prometheus, apps } = started as Required<Started>;
  return {
    nats,
    natsServers,
    natsUrl: natsServers.map((server) => server.url).join(','),
    jaeger,
    prometheus,
    apps,
    app: (name) => {
      const app = apps.get(name);
      if (!app) throw new Error(`${name} is not part of this system`);
      return app;
    },
    stop,
  };
}

import { APP_NAMES, APPS, AppProcess, type AppName } from './apps';
import { startJaeger, type JaegerHandle, type JaegerPorts } from './jaeger';
import { startNatsServer, type NatsServerHandle } from './nats-server';
import { freePorts } from './ports';

export interface SystemOptions {
  /** Which services to run (default all). */
  apps?: readonly AppName[];
  /** Run Jaeger and export traces to it (default true). */
  tracing?: boolean;
  /** The usual ports of ARCHITECTURE.md (npm start) instead of free ones (tests). */
  standardPorts?: boolean;
  /** Keep JetStream data here across runs (default a temp dir removed on stop). */
  natsStoreDir?: string;
  logDir?: string;
  /** Extra environment for every service. */
  appEnv?: NodeJS.ProcessEnv;
  /** Told about each step, for progress output. */
  onProgress?: (message: string) => void;
}

/** NATS, Jaeger and the services as real processes: what `npm start` runs and each e2e file owns. */
export interface FlowscopeSystem {
  nats: NatsServerHandle;
  jaeger?: JaegerHandle;
  apps: Map<AppName, AppProcess>;
  app(name: AppName): AppProcess;
  /** Stops the services first (they drain), then Jaeger and NATS. */
  stop(): Promise<void>;
}

const STANDARD_JAEGER_PORTS: JaegerPorts = { otlpGrpc: 4317, otlpHttp: 4318, queryHttp: 16686, queryGrpc: 16685, health: 13133 };

export async function startSystem(options: SystemOptions = {}): Promise<FlowscopeSystem> {
  const progress = options.onProgress ?? (() => undefined);
  const names = options.apps ?? APP_NAMES;
  const standard = options.standardPorts ?? false;
  const started: { nats?: NatsServerHandle; jaeger?: JaegerHandle; apps: Map<AppName, AppProcess> } = { apps: new Map() };
  const stop = async () => {
    await Promise.all([...started.apps.values()].map((app) => app.stop()));
    await started.jaeger?.stop();
    await started.nats?.stop();
  };
  try {
    progress('starting nats-server (JetStream)');
    started.nats = await startNatsServer({
      ...(standard ? { port: 4222, httpPort: 8222 } : {}),
      ...(options.natsStoreDir ? { storeDir: options.natsStoreDir } : {}),
      name: 'nats',
      logDir: options.logDir,
    });
    if (options.tracing ?? true) {
      progress('starting Jaeger');
      started.jaeger = await startJaeger({ name: 'jaeger', logDir: options.logDir, ...(standard ? { ports: STANDARD_JAEGER_PORTS } : {}) });
    }
    const ports = standard ? names.map((n) => APPS[n]) : await freePorts(names.length);
    progress(`starting ${names.join(', ')}`);
    for (const [i, name] of names.entries()) {
      started.apps.set(name, new AppProcess(name, {
        natsUrl: started.nats.url,
        httpPort: ports[i],
        otlpUrl: started.jaeger?.otlpHttpUrl,
        env: options.appEnv,
        logDir: options.logDir,
      }));
    }
    await Promise.all([...started.apps.values()].map((app) => app.start()));
  } catch (error) {
    await stop();
    throw error;
  }
  const { nats, jaeger, apps } = started as Required<typeof started>;
  return {
    nats,
    jaeger,
    apps,
    app: (name) => {
      const app = apps.get(name);
      if (!app) throw new Error(`${name} is not part of this system`);
      return app;
    },
    stop,
  };
}

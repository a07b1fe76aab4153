import { existsSync } from 'node:fs';
import path from 'node:path';
import { nodeRuntime, REPO_ROOT, type NodeRuntime } from './binaries';
import { LOOPBACK } from './ports';
import { httpJson, StopWaiting, waitFor } from './probe';
import { ManagedProcess } from './processes';

/** Every Flowscope service, in the order they start, with its default HTTP port. */
export const APPS = {
  orders: 3001,
  payments: 3002,
  seller: 3003,
  logistics: 3004,
  notification: 3005,
  'process-tracker': 3006,
} as const;
export type AppName = keyof typeof APPS;
export const APP_NAMES = Object.keys(APPS) as AppName[];

export interface AppOptions {
  natsUrl: string;
  httpPort: number;
  /** OTLP/HTTP base URL of the trace backend; tracing is off without one. */
  otlpUrl?: string;
  /** Extra environment (e.g. LOG_LEVEL, FLOW_TIMEOUT_MS). */
  env?: NodeJS.ProcessEnv;
  logDir?: string;
  startTimeoutMs?: number;
  /** Extra node options, e.g. `--cpu-prof` for a benchmark's profile. */
  nodeArgs?: string[];
  /** The Node.js to run on (default `nodeRuntime()`: the one under .tools/node when installed). */
  node?: NodeRuntime;
}

/** A service running as a real process from `dist/`, as `npm start` and the e2e suite run it. */
export class AppProcess {
  readonly url: string;
  private current?: ManagedProcess;

  constructor(
    readonly name: AppName,
    private readonly options: AppOptions,
  ) {
    this.url = `http://${LOOPBACK}:${options.httpPort}`;
  }

  get process(): ManagedProcess | undefined {
    return this.current;
  }

  /** Spawns the service and resolves once `GET /health` answers 200 (connected to NATS). */
  async start(): Promise<void> {
    const main = path.join(REPO_ROOT, 'dist', 'apps', this.name, 'src', 'main.js');
    const register = path.join(REPO_ROOT, 'dist', 'libs', 'telemetry', 'src', 'register.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
    const { natsUrl, httpPort, otlpUrl } = this.options;
    const node = this.options.node ?? nodeRuntime();
    const proc = ManagedProcess.spawn(
      node.bin,
      [...node.args, ...(this.options.nodeArgs ?? []), '--enable-source-maps', '--require', register, main],
      {
        name: this.name,
        cwd: REPO_ROOT,
        logDir: this.options.logDir,
        env: {
          NATS_URL: natsUrl,
          HTTP_PORT: String(httpPort),
          HTTP_HOST: LOOPBACK,
          OTEL_SERVICE_NAME: this.name,
          ...(otlpUrl
            ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl, OTEL_BSP_SCHEDULE_DELAY: '500' }
            : { OTEL_SDK_DISABLED: 'true' }),
          ...this.options.env,
        },
      },
    );
    this.current = proc;
    await waitFor(() => this.healthy(proc), {
      timeoutMs: this.options.startTimeoutMs ?? 60_000,
      intervalMs: 200,
      what: `${this.name} to answer ${this.url}/health`,
    }).catch((error: unknown) => {
      throw new Error(`${this.name} did not start: ${String(error)}\n${proc.logs()}`, { cause: error });
    });
  }

  async stop(): Promise<void> {
    await this.current?.stop();
  }

  /** SIGKILL, as in a crash. */
  async kill9(): Promise<void> {
    await this.current?.kill9();
  }

  logs(): string {
    return this.current?.logs() ?? `${this.name}: not started`;
  }

  private async healthy(proc: ManagedProcess): Promise<boolean> {
    if (!proc.running) throw new StopWaiting(`${this.name} exited during startup`);
    return (await httpJson(`${this.url}/health`, { timeoutMs: 2000 })).status === 200;
  }
}

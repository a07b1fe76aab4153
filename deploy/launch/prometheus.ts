import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveBinary } from './binaries';
import { onExitCleanup } from './exit-guard';
import { freePort, LOOPBACK } from './ports';
import { httpJson, StopWaiting, waitFor } from './probe';
import { ManagedProcess } from './processes';

/** One scrape job of the generated configuration. */
export interface ScrapeTarget {
  /** Job name: the app's name, or e.g. `spanmetrics` for Jaeger's span metrics. */
  job: string;
  /** `host:port` serving the metrics. */
  address: string;
  /** Value of the `service` label on every sample (apps set it; infrastructure jobs leave it out). */
  service?: string;
  /** Default `/metrics`. */
  metricsPath?: string;
}

/** Options of {@link startPrometheus}. */
export interface PrometheusOptions {
  /** What to scrape besides Prometheus itself. */
  targets: readonly ScrapeTarget[];
  /** Fixed port (the local runner uses 9090); a free one when absent. */
  port?: number;
  /** Scrape (and rule evaluation) interval, default 1 s: short, so tests see samples quickly. */
  scrapeIntervalMs?: number;
  /** Also write Prometheus' output to `<logDir>/<name>.log`. */
  logDir?: string;
  /** Process name in logs (default `prometheus-<port>`). */
  name?: string;
  /** How long to wait for `/-/ready` (default 30 s). */
  startTimeoutMs?: number;
}

/** A running Prometheus with exemplar storage, its config and TSDB in a temp dir. */
export interface PrometheusHandle {
  /** `http://127.0.0.1:<port>` (`/api/v1/query`, `/api/v1/query_exemplars`, `/api/v1/targets`). */
  readonly url: string;
  readonly port: number;
  readonly configFile: string;
  readonly process: ManagedProcess;
  /** Graceful stop (SIGTERM, SIGKILL after 10 s), then removes config and data. Idempotent. */
  stop(): Promise<void>;
  logs(): string;
}

/** The prometheus binary: `$PROMETHEUS_BIN`, `<repo>/.tools/bin/prometheus`, or PATH. */
export function prometheusBin(): string {
  return resolveBinary('prometheus', 'PROMETHEUS_BIN');
}

const seconds = (ms: number): string => `${Math.max(1, Math.round(ms / 1000))}s`;

/**
 * Prometheus configuration: itself plus one job per target, static targets. Exemplars are kept
 * because Prometheus asks for OpenMetrics first (its default Accept header) and runs with
 * `--enable-feature=exemplar-storage`.
 */
export function prometheusConfigYaml(self: string, targets: readonly ScrapeTarget[], scrapeIntervalMs = 1000): string {
  const jobs = [{ job: 'prometheus', address: self } as ScrapeTarget, ...targets].map((t) => {
    const labels = t.service === undefined ? '' : `\n        labels:\n          service: ${t.service}`;
    return `  - job_name: ${t.job}
    metrics_path: ${t.metricsPath ?? '/metrics'}
    static_configs:
      - targets: ['${t.address}']${labels}`;
  });
  return `global:
  scrape_interval: ${seconds(scrapeIntervalMs)}
  scrape_timeout: ${seconds(scrapeIntervalMs)}
  evaluation_interval: ${seconds(scrapeIntervalMs)}

scrape_configs:
${jobs.join('\n')}
`;
}

const ATTEMPTS_ON_PORT_RACE = 3;

/**
 * Starts Prometheus on 127.0.0.1 with a generated config and a fresh TSDB, and resolves once it is
 * ready and proven to be ours. Every caller must `stop()` it.
 */
export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusHandle> {
  const bin = prometheusBin();
  for (let attempt = 1; ; attempt++) {
    const prometheus = new Prometheus(bin, opts, opts.port ?? (await freePort()));
    try {
      await prometheus.start();
      return prometheus;
    } catch (error) {
      await prometheus.stop();
      const raced = prometheus.logs().includes('address already in use');
      if (!raced || opts.port !== undefined || attempt >= ATTEMPTS_ON_PORT_RACE) throw error;
    }
  }
}

class Prometheus implements PrometheusHandle {
  readonly url: string;
  readonly configFile: string;
  private readonly dir: string;
  private readonly name: string;
  private readonly forgetCleanup: () => void;
  private current: ManagedProcess | undefined;

  constructor(
    private readonly bin: string,
    private readonly opts: PrometheusOptions,
    readonly port: number,
  ) {
    this.url = `http://${LOOPBACK}:${port}`;
    this.name = opts.name ?? `prometheus-${port}`;
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'flowscope-prometheus-'));
    this.forgetCleanup = onExitCleanup(() => rmSync(this.dir, { recursive: true, force: true }));
    this.configFile = path.join(this.dir, 'prometheus.yml');
    writeFileSync(this.configFile, prometheusConfigYaml(`${LOOPBACK}:${port}`, opts.targets, opts.scrapeIntervalMs));
  }

  get process(): ManagedProcess {
    if (this.current === undefined) throw new Error(`${this.name} was never started`);
    return this.current;
  }

  async start(): Promise<void> {
    const data = path.join(this.dir, 'data');
    mkdirSync(data, { recursive: true });
    const args = [
      `--config.file=${this.configFile}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=${LOOPBACK}:${this.port}`,
      '--enable-feature=exemplar-storage',
      '--storage.tsdb.retention.time=1d',
    ];
    const proc = ManagedProcess.spawn(this.bin, args, { name: this.name, logDir: this.opts.logDir });
    this.current = proc;
    await waitFor(() => this.isReady(proc), {
      timeoutMs: this.opts.startTimeoutMs ?? 30_000,
      intervalMs: 100,
      what: `${this.name} to be ready at ${this.url}/-/ready`,
    }).catch((error: unknown) => {
      throw new Error(`${this.name} did not start: ${String(error)}\n${proc.logs()}`, { cause: error });
    });
  }

  private async isReady(proc: ManagedProcess): Promise<boolean> {
    if (!proc.running) throw new StopWaiting(`${this.name} exited during startup`);
    const ready = await httpJson(`${this.url}/-/ready`, { timeoutMs: 2000 });
    if (ready.status !== 200) return false;
    // Make sure the answer is ours, not from whoever else may hold that port after a race.
    const flags = await httpJson<{ data?: Record<string, string> }>(`${this.url}/api/v1/status/flags`, {
      timeoutMs: 2000,
    });
    return flags.body.data?.['config.file'] === this.configFile;
  }

  async stop(): Promise<void> {
    await this.current?.stop();
    rmSync(this.dir, { recursive: true, force: true });
    this.forgetCleanup();
  }

  logs(): string {
    return this.current?.logs() ?? `${this.name}: not started`;
  }
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveBinary } from './binaries';
import { freePorts, LOOPBACK } from './ports';
import { httpJson, StopWaiting, waitFor } from './probe';
import { onExitCleanup } from './exit-guard';
import { ManagedProcess } from './processes';

/** Options of {@link startJaeger}. */
export interface JaegerOptions {
  /** In-memory store capacity (default 100000 traces). */
  maxTraces?: number;
  /** Also write Jaeger's output to `<logDir>/<name>.log`. */
  logDir?: string;
  /** Process name in logs (default `jaeger-<query port>`). */
  name?: string;
  /** How long to wait for health and the query API (default 30 s). */
  startTimeoutMs?: number;
  /** Fixed ports (the local runner uses Jaeger's usual ones); free ports when absent. */
  ports?: JaegerPorts;
  /** Service Performance Monitoring (the Monitor tab, `/api/metrics/*`); off when absent. */
  spm?: SpanMetricsOptions;
}

/** Span metrics: the spanmetrics connector, exported for Prometheus, which Jaeger then queries. */
export interface SpanMetricsOptions {
  /** Base URL of the Prometheus that scrapes the span metrics and answers Jaeger's queries. */
  prometheusUrl: string;
  /** How often the connector publishes what it counted (default 1 s; the connector's own is 60 s). */
  flushIntervalMs?: number;
}

/** A running Jaeger v2 all-in-one (in-memory storage) owned by a test. */
export interface JaegerHandle {
  /** OTLP/HTTP receiver base URL; traces go to `${otlpHttpUrl}/v1/traces`. */
  readonly otlpHttpUrl: string;
  readonly otlpGrpcPort: number;
  /** `http://127.0.0.1:<otlpGrpcPort>`, as OTLP gRPC exporters expect it. */
  readonly otlpGrpcUrl: string;
  /** Query service base URL (`/api/traces`, `/api/services`, `/api/v3/...`). */
  readonly queryUrl: string;
  readonly queryGrpcPort: number;
  /** healthcheckv2 status URL. */
  readonly healthUrl: string;
  /** `127.0.0.1:<port>` of the span metrics for Prometheus to scrape (`/metrics`), with SPM only. */
  readonly spanMetricsAddress?: string;
  /** The generated collector configuration file. */
  readonly configFile: string;
  /** Every port this Jaeger listens on (all on 127.0.0.1). */
  readonly ports: readonly number[];
  readonly process: ManagedProcess;
  /** Graceful stop (SIGKILL after 10 s) and removal of the generated config. Idempotent. */
  stop(): Promise<void>;
  /** Stops the process only, keeping config and ports, so that {@link restart} can bring it back (outage tests). */
  stopProcess(): Promise<void>;
  /** Starts it again on the same ports once healthy (the in-memory traces of before are gone). */
  restart(): Promise<void>;
  logs(): string;
}

/** The jaeger binary: `$JAEGER_BIN`, `<repo>/.tools/bin/jaeger`, or PATH. */
export function jaegerBin(): string {
  return resolveBinary('jaeger', 'JAEGER_BIN');
}

export interface JaegerPorts {
  otlpGrpc: number;
  otlpHttp: number;
  queryHttp: number;
  queryGrpc: number;
  health: number;
  /** Prometheus exporter of the span metrics (SPM only). */
  spanMetrics?: number;
}

/**
 * Jaeger v2 (v1.76.0) collector configuration that binds only the given 127.0.0.1 ports: OTLP in,
 * memory storage, query API and health check; no self-metrics (:8888), no self-tracing, none of
 * the all-in-one's other receivers and extensions (jaeger, zipkin, remote_sampling, expvar, zpages).
 * With `spm`, traces also feed the spanmetrics connector (as in Jaeger's cmd/jaeger/config-spm.yaml),
 * whose metrics a Prometheus exporter serves on `ports.spanMetrics`, and the query service reads
 * them back from that Prometheus.
 */
export function jaegerConfigYaml(ports: JaegerPorts, maxTraces = 100_000, spm?: SpanMetricsOptions): string {
  const at = (port: number): string => `${LOOPBACK}:${port}`;
  if (spm && ports.spanMetrics === undefined) throw new Error('span metrics need ports.spanMetrics');
  return `service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter${spm ? ', spanmetrics' : ''}]${spm ? SPM_PIPELINE : ''}
  telemetry:
    resource:
      service.name: jaeger
    metrics:
      level: none
    logs:
      level: info

extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: ${maxTraces}${spm ? metricBackend(spm) : ''}
  jaeger_query:
    storage:
      traces: memstore${spm ? '\n      metrics: promstore' : ''}
    enable_tracing: false
    http:
      endpoint: ${at(ports.queryHttp)}
    grpc:
      endpoint: ${at(ports.queryGrpc)}
  healthcheckv2:
    use_v2: true
    http:
      endpoint: ${at(ports.health)}

receivers:
  otlp:
    protocols:
      grpc:
        endpoint: ${at(ports.otlpGrpc)}
      http:
        endpoint: ${at(ports.otlpHttp)}

processors:
  batch:
${spm ? spanMetricsConnector(spm) : ''}
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore${spm ? spanMetricsExporter(at(ports.spanMetrics!)) : ''}
`;
}

const SPM_PIPELINE = `
    metrics/spanmetrics:
      receivers: [spanmetrics]
      exporters: [prometheus]`;

// The names Jaeger's Prometheus reader expects: traces_span_metrics_calls_total and
// traces_span_metrics_duration_milliseconds_bucket (normalize_* add the exporter's suffixes).
const metricBackend = (spm: SpanMetricsOptions): string => `
    metric_backends:
      promstore:
        prometheus:
          endpoint: ${spm.prometheusUrl}
          normalize_calls: true
          normalize_duration: true`;

const spanMetricsConnector = (spm: SpanMetricsOptions): string => `
connectors:
  spanmetrics:
    metrics_flush_interval: ${Math.max(100, spm.flushIntervalMs ?? 1000)}ms
`;

const spanMetricsExporter = (address: string): string => `
  prometheus:
    endpoint: ${address}`;

const ATTEMPTS_ON_PORT_RACE = 3;

/**
 * Starts Jaeger v2 all-in-one on free 127.0.0.1 ports with a generated config, and resolves once
 * its health check is OK and `GET /api/services` answers 200. Every caller must `stop()` it.
 */
export async function startJaeger(opts: JaegerOptions = {}): Promise<JaegerHandle> {
  const bin = jaegerBin();
  for (let attempt = 1; ; attempt++) {
    const [otlpGrpc, otlpHttp, queryHttp, queryGrpc, health, spanMetrics] = await freePorts(opts.spm ? 6 : 5);
    const jaeger = new Jaeger(
      bin,
      opts,
      opts.ports ?? { otlpGrpc, otlpHttp, queryHttp, queryGrpc, health, spanMetrics },
    );
    try {
      await jaeger.start();
      return jaeger;
    } catch (error) {
      await jaeger.stop();
      const raced = jaeger.logs().includes('address already in use');
      if (!raced || opts.ports || attempt >= ATTEMPTS_ON_PORT_RACE) throw error;
    }
  }
}

class Jaeger implements JaegerHandle {
  readonly otlpHttpUrl: string;
  readonly otlpGrpcPort: number;
  readonly otlpGrpcUrl: string;
  readonly queryUrl: string;
  readonly queryGrpcPort: number;
  readonly healthUrl: string;
  readonly spanMetricsAddress?: string;
  readonly configFile: string;
  readonly ports: readonly number[];
  private readonly configDir: string;
  private readonly name: string;
  private readonly forgetCleanup: () => void;
  private current: ManagedProcess | undefined;

  constructor(
    private readonly bin: string,
    private readonly opts: JaegerOptions,
    ports: JaegerPorts,
  ) {
    this.otlpHttpUrl = `http://${LOOPBACK}:${ports.otlpHttp}`;
    this.otlpGrpcPort = ports.otlpGrpc;
    this.otlpGrpcUrl = `http://${LOOPBACK}:${ports.otlpGrpc}`;
    this.queryUrl = `http://${LOOPBACK}:${ports.queryHttp}`;
    this.queryGrpcPort = ports.queryGrpc;
    this.healthUrl = `http://${LOOPBACK}:${ports.health}/status`;
    this.ports = [ports.otlpGrpc, ports.otlpHttp, ports.queryHttp, ports.queryGrpc, ports.health];
    if (opts.spm && ports.spanMetrics !== undefined) {
      this.spanMetricsAddress = `${LOOPBACK}:${ports.spanMetrics}`;
      this.ports = [...this.ports, ports.spanMetrics];
    }
    this.name = opts.name ?? `jaeger-${ports.queryHttp}`;
    this.configDir = mkdtempSync(path.join(os.tmpdir(), 'flowscope-jaeger-'));
    this.forgetCleanup = onExitCleanup(() => rmSync(this.configDir, { recursive: true, force: true }));
    this.configFile = path.join(this.configDir, 'jaeger.yaml');
    writeFileSync(this.configFile, jaegerConfigYaml(ports, opts.maxTraces, opts.spm));
  }

  get process(): ManagedProcess {
    if (this.current === undefined) throw new Error(`${this.name} was never started`);
    return this.current;
  }

  async start(): Promise<void> {
    const proc = ManagedProcess.spawn(this.bin, ['--config', this.configFile], {
      name: this.name,
      logDir: this.opts.logDir,
    });
    this.current = proc;
    await waitFor(() => this.isReady(proc), {
      timeoutMs: this.opts.startTimeoutMs ?? 30_000,
      intervalMs: 100,
      what: `${this.name} to be healthy (${this.healthUrl}) and serve ${this.queryUrl}/api/services`,
    }).catch((error: unknown) => {
      throw new Error(`${this.name} did not start: ${String(error)}\n${proc.logs()}`, { cause: error });
    });
  }

  private async isReady(proc: ManagedProcess): Promise<boolean> {
    if (!proc.running) throw new StopWaiting(`${this.name} exited during startup`);
    // The collector logs this once every component has started: it also proves that the ports
    // probed below are ours and not someone else's who won a race for them.
    if (!proc.logs().includes('Everything is ready')) return false;
    const health = await httpJson(this.healthUrl, { timeoutMs: 2000 });
    if (health.status !== 200) return false;
    const services = await httpJson(`${this.queryUrl}/api/services`, { timeoutMs: 2000 });
    return services.status === 200;
  }

  async stopProcess(): Promise<void> {
    await this.current?.stop();
  }

  async restart(): Promise<void> {
    await this.current?.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    await this.current?.stop();
    rmSync(this.configDir, { recursive: true, force: true });
    this.forgetCleanup();
  }

  logs(): string {
    return this.current?.logs() ?? `${this.name}: not started`;
  }
}

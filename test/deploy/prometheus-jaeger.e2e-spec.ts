// The local launchers of Prometheus and of Jaeger with span metrics (SPM), against the real binaries:
// spans posted to Jaeger over OTLP become RED metrics that Prometheus scrapes and that Jaeger's
// Monitor tab API (`/api/metrics/*`) reads back from Prometheus. Also: the same binaries accept the
// configuration files docker compose mounts.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../deploy/launch/binaries';
import { jaegerBin, startJaeger, type JaegerHandle } from '../../deploy/launch/jaeger';
import { generateNatsUsers, natsServerAuth } from '../../deploy/launch/nats-auth';
import { natsServerBin } from '../../deploy/launch/nats-server';
import { freePort, isPortFree } from '../../deploy/launch/ports';
import { httpJson, waitFor } from '../../deploy/launch/probe';
import { stopAll } from '../../deploy/launch/processes';
import { prometheusBin, startPrometheus, type PrometheusHandle } from '../../deploy/launch/prometheus';
import { promFlags, promQuery, promTargets, type JaegerMetricFamily } from './prometheus-api';

const TIMEOUT = 60_000;
const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const service = `spm-${hex(3)}`;

let jaeger: JaegerHandle;
let prometheus: PrometheusHandle;

beforeAll(async () => {
  const prometheusPort = await freePort();
  jaeger = await startJaeger({ spm: { prometheusUrl: `http://127.0.0.1:${prometheusPort}`, flushIntervalMs: 500 } });
  prometheus = await startPrometheus({
    port: prometheusPort,
    scrapeIntervalMs: 1000,
    targets: [{ job: 'spanmetrics', address: jaeger.spanMetricsAddress! }],
  });
}, TIMEOUT);

afterAll(() => stopAll(), TIMEOUT);

/** One finished span of `kind` (OTLP numbers: 2 server, 5 consumer), as an instrumented app exports it. */
async function postSpan(name: string, kind: number): Promise<void> {
  const end = BigInt(Date.now()) * 1_000_000n;
  const span = {
    traceId: hex(16),
    spanId: hex(8),
    name,
    kind,
    startTimeUnixNano: String(end - 4_000_000n),
    endTimeUnixNano: String(end),
  };
  const resource = { attributes: [{ key: 'service.name', value: { stringValue: service } }] };
  const res = await fetch(`${jaeger.otlpHttpUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ spans: [span] }] }] }),
  });
  expect(res.status).toBe(200);
}

/** Waits until Prometheus holds `calls` calls of `service` and `kind` (SPAN_KIND_SERVER, …). */
function waitForCalls(kind: string, calls: number): Promise<unknown> {
  const expr = `traces_span_metrics_calls_total{service_name="${service}",span_kind="${kind}"}`;
  return waitFor(async () => (await promQuery(prometheus.url, expr)).find((s) => Number(s.value[1]) === calls), {
    timeoutMs: 30_000,
    intervalMs: 250,
    what: `${expr} to be ${calls} in Prometheus`,
  });
}

/** Jaeger's SPM answer for `service`, once some point of it is above zero. */
function waitForJaegerMetric(path: string, query: string): Promise<JaegerMetricFamily> {
  const url = `${jaeger.queryUrl}/api/metrics/${path}?service=${service}&endTs=${Date.now() + 60_000}&lookback=600000&step=1000&ratePer=60000&${query}`;
  return waitFor(
    async () => {
      const res = await httpJson<JaegerMetricFamily>(url);
      const points = res.body.metrics?.flatMap((m) => m.metricPoints) ?? [];
      return res.status === 200 && points.some((p) => (p.gaugeValue?.doubleValue ?? 0) > 0) ? res.body : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 500, what: `Jaeger ${url} to answer with a point above zero` },
  );
}

describe('Prometheus and Jaeger with span metrics', () => {
  it(
    'runs Prometheus with exemplar storage on 127.0.0.1, scraping itself and the span metrics',
    async () => {
      const flags = await promFlags(prometheus.url);
      expect(flags).toMatchObject({
        'enable-feature': 'exemplar-storage',
        'web.listen-address': `127.0.0.1:${prometheus.port}`,
        'config.file': prometheus.configFile,
      });
      const targets = await waitFor(
        async () => {
          const all = await promTargets(prometheus.url);
          return all.length === 2 && all.every((t) => t.health === 'up') ? all : undefined;
        },
        { timeoutMs: 20_000, what: 'both targets up' },
      );
      expect(targets.map((t) => t.labels.job).sort()).toEqual(['prometheus', 'spanmetrics']);
      expect(targets.find((t) => t.labels.job === 'spanmetrics')?.scrapeUrl).toBe(
        `http://${jaeger.spanMetricsAddress}/metrics`,
      );
    },
    TIMEOUT,
  );

  it(
    'counts posted SERVER spans in traces_span_metrics_calls_total, and Jaeger /api/metrics answers from Prometheus',
    async () => {
      await postSpan('GET /things', 2);
      await waitForCalls('SPAN_KIND_SERVER', 1);
      await postSpan('GET /things', 2); // a rate needs an increase between two scrapes
      await waitForCalls('SPAN_KIND_SERVER', 2);

      const calls = await waitForJaegerMetric('calls', '');
      expect(calls.name).toBe('service_call_rate');
      expect(calls.metrics[0].labels).toContainEqual({ name: 'service_name', value: service });
      const latencies = await waitForJaegerMetric('latencies', 'quantile=0.95');
      expect(latencies.name).toBe('service_latencies');
    },
    TIMEOUT,
  );

  it(
    'has messaging spans too, when asked for their kind (Jaeger shows SERVER spans by default)',
    async () => {
      await postSpan('process order.placed', 5);
      await waitForCalls('SPAN_KIND_CONSUMER', 1);
      await postSpan('process order.placed', 5);
      await waitForCalls('SPAN_KIND_CONSUMER', 2);

      const calls = await waitForJaegerMetric('calls', 'spanKind=consumer&groupByOperation=true');
      expect(calls.metrics.flatMap((m) => m.labels)).toContainEqual({
        name: 'operation',
        value: 'process order.placed',
      });
    },
    TIMEOUT,
  );

  it(
    'stop() ends Prometheus, frees its port and removes its generated config and data',
    async () => {
      const { port, configFile } = prometheus;
      await prometheus.stop();
      expect(prometheus.process.running).toBe(false);
      expect(prometheus.process.exitInfo).toMatchObject({ code: 0 });
      expect(await isPortFree(port)).toBe(true);
      expect(existsSync(configFile)).toBe(false);
    },
    TIMEOUT,
  );
});

describe('the configuration files docker compose mounts', () => {
  const run = async (bin: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
    const { stdout, stderr } = await promisify(execFile)(bin, args, {
      cwd: REPO_ROOT,
      timeout: 30_000,
      env: { ...process.env, ...env },
    });
    return stdout + stderr;
  };

  it(
    'deploy/prometheus.yml passes promtool (shipped beside the prometheus binary)',
    async () => {
      const promtool = path.join(path.dirname(realpathSync(prometheusBin())), 'promtool');
      await expect(run(promtool, ['check', 'config', 'deploy/prometheus.yml'])).resolves.toContain('SUCCESS');
    },
    TIMEOUT,
  );

  it(
    'deploy/jaeger/config.yaml passes `jaeger validate`',
    async () => {
      await expect(run(jaegerBin(), ['validate', '--config', 'deploy/jaeger/config.yaml'])).resolves.not.toMatch(
        /error/i,
      );
    },
    TIMEOUT,
  );

  it(
    "deploy/nats/nats.conf passes `nats-server -t` (with the users' passwords in the environment, as compose passes them)",
    async () => {
      const { env } = natsServerAuth(generateNatsUsers());
      await expect(run(natsServerBin(), ['-t', '-c', 'deploy/nats/nats.conf'], env)).resolves.toContain('is valid');
    },
    TIMEOUT,
  );
});

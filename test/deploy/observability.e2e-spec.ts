// The whole system with Prometheus, as `npm start` runs it (free ports, 1 s scrapes): every service
// scraped with its `service` label, the tracker's flow durations stored with trace-id exemplars,
// and Jaeger's Monitor tab API answering from the span metrics of a real order.
import { httpJson, waitFor } from '../../deploy/launch/probe';
import { APP_NAMES } from '../../deploy/launch/apps';
import { startSystem, type FlowscopeSystem } from '../../deploy/launch/system';
import { placeOrder, waitForOutcome } from '../support/flow';
import { promExemplars, promTargets, type JaegerMetricFamily } from './prometheus-api';

/** What Prometheus 2.x sends when it scrapes: OpenMetrics first. */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

let system: FlowscopeSystem;
let orderId: string;

beforeAll(async () => {
  system = await startSystem({ prometheus: true, appEnv: { LOG_LEVEL: 'warn' } });
  orderId = await placeOrder(system, { customerId: 'c-observed', items: [{ sku: 'BOOK-1', qty: 1, unitPrice: 9 }] });
  await waitForOutcome(system, orderId);
}, 180_000);

afterAll(async () => {
  await system?.stop();
}, 60_000);

describe('the system with Prometheus', () => {
  it('scrapes every service, labelled with its name, and Jaeger span metrics', async () => {
    const prometheus = system.prometheus!;
    const targets = await waitFor(
      async () => {
        const all = await promTargets(prometheus.url);
        return all.length === APP_NAMES.length + 2 && all.every((t) => t.health === 'up') ? all : undefined;
      },
      { timeoutMs: 30_000, what: 'every target up' },
    );
    const apps = targets.filter((t) => t.labels.service !== undefined);
    expect(apps.map((t) => [t.labels.job, t.labels.service, t.scrapeUrl]).sort()).toEqual(
      APP_NAMES.map((name) => [name, name, `${system.app(name).url}/metrics`]).sort(),
    );
    expect(
      targets
        .filter((t) => t.labels.service === undefined)
        .map((t) => t.labels.job)
        .sort(),
    ).toEqual(['prometheus', 'spanmetrics']);
  }, 60_000);

  it('stores the flow duration with an exemplar that names the flow trace', async () => {
    const tracker = system.app('process-tracker');
    const scrape = await fetch(`${tracker.url}/metrics`, { headers: { accept: PROMETHEUS_ACCEPT } });
    expect(scrape.headers.get('content-type')).toMatch(/^application\/openmetrics-text/);

    const flow = await httpJson<{ status: string; traceIds: string[] }>(
      `${tracker.url}/flows/order-fulfillment/${orderId}`,
    );
    expect(flow.body).toMatchObject({ status: 'completed', traceIds: [expect.stringMatching(/^[0-9a-f]{32}$/)] });
    const [traceId] = flow.body.traceIds;
    const series = await waitFor(
      async () => {
        const all = await promExemplars(
          system.prometheus!.url,
          'flowscope_flow_duration_seconds_bucket{status="completed"}',
        );
        return all.find((s) => s.exemplars.some((e) => e.labels.trace_id === traceId));
      },
      { timeoutMs: 30_000, intervalMs: 500, what: `an exemplar with trace_id ${traceId}` },
    );
    expect(series.seriesLabels).toMatchObject({
      service: 'process-tracker',
      job: 'process-tracker',
      definition: 'order-fulfillment',
      style: 'choreography',
    });
  }, 60_000);

  it("answers Jaeger's Monitor tab for the orders API (SERVER spans) and the payments consumer", async () => {
    const jaeger = system.jaeger!;
    const calls = (service: string, kind: string) =>
      waitFor(
        async () => {
          const url = `${jaeger.queryUrl}/api/metrics/calls?service=${service}&spanKind=${kind}&endTs=${Date.now()}&lookback=600000&step=1000&ratePer=60000`;
          const res = await httpJson<JaegerMetricFamily>(url);
          // rate() needs two samples of a counter that grew: a second order may be needed.
          return res.body.metrics?.some((m) => m.metricPoints.some((p) => (p.gaugeValue?.doubleValue ?? 0) > 0))
            ? res.body
            : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500, what: `Jaeger call rates of ${service} (${kind})` },
      );
    const second = await placeOrder(system, {
      customerId: 'c-observed',
      items: [{ sku: 'BOOK-2', qty: 1, unitPrice: 4 }],
    });
    await waitForOutcome(system, second);

    expect((await calls('orders', 'server')).metrics[0].labels).toContainEqual({
      name: 'service_name',
      value: 'orders',
    });
    expect((await calls('payments', 'consumer')).metrics[0].labels).toContainEqual({
      name: 'service_name',
      value: 'payments',
    });
  }, 60_000);
});

// Issue 5: after a load-generator run that uses every failure flag, every panel query of every
// committed dashboard returns at least one series from a real Prometheus scraping the running
// system, and the exemplars of the flow histograms are traces that Jaeger returns.
import { FLAG_KEYS, type FlagKey } from '@flowscope/fulfilment';
import { runLoad } from '../apps/loadgen/src/run-load';
import { httpJson, waitFor, WaitTimeoutError } from '../deploy/launch/probe';
import { startSystem, type FlowscopeSystem } from '../deploy/launch/system';
import { panelQueries, type PanelQuery } from '../grafana/src/queries';
import { getTrace } from './support/jaeger-api';

let system: FlowscopeSystem;
let startedAt: number;

beforeAll(async () => {
  // A short SLA, so the flows that lose an event (the drop flags) are stalled within the test.
  system = await startSystem({
    prometheus: true,
    appEnv: { LOG_LEVEL: 'warn', FLOW_TIMEOUT_MS: '3000', STALL_SWEEP_MS: '250' },
  });
  startedAt = Date.now();
}, 180_000);

afterAll(async () => {
  await system?.stop();
}, 60_000);

/** Every failure flag, each low enough that most orders still get through. */
const FLAGS: Record<FlagKey, number> = {
  'payment.declineRate': 0.1,
  'seller.outOfStockRate': 0.1,
  'logistics.failureRate': 0.1,
  'loadgen.poisonRate': 0.05,
  'payments.latencyMs': 5,
  'seller.latencyMs': 5,
  'logistics.latencyMs': 5,
  'notification.latencyMs': 5,
  'payments.dropRate': 0.05,
  'seller.dropRate': 0.05,
  'logistics.dropRate': 0.05,
  'notification.dropRate': 0.05,
};

interface PromResponse<T> {
  status: string;
  data: T;
  error?: string;
}

type Series = { metric: Record<string, string> }[];

/** The series a panel query gives: instant at now, or over the run for a graph, as Grafana asks. */
async function seriesOf(query: PanelQuery): Promise<Series> {
  const now = Date.now() / 1000;
  const params = query.instant
    ? new URLSearchParams({ query: query.expr, time: String(now) })
    : new URLSearchParams({ query: query.expr, start: String(startedAt / 1000 - 60), end: String(now), step: '5' });
  const res = await httpJson<PromResponse<{ result: Series }>>(
    `${system.prometheus!.url}/api/v1/${query.instant ? 'query' : 'query_range'}?${params.toString()}`,
  );
  if (res.status !== 200 || res.body.status !== 'success')
    throw new Error(`${query.dashboard} / ${query.panel}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.result;
}

/** Trace ids of the exemplars Prometheus stored for `metric` during the run. */
async function exemplarTraceIds(metric: string): Promise<string[]> {
  const params = new URLSearchParams({
    query: metric,
    start: String(startedAt / 1000 - 60),
    end: String(Date.now() / 1000 + 60),
  });
  const res = await httpJson<PromResponse<{ exemplars: { labels: Record<string, string> }[] }[]>>(
    `${system.prometheus!.url}/api/v1/query_exemplars?${params.toString()}`,
  );
  if (res.status !== 200 || res.body.status !== 'success')
    throw new Error(`query_exemplars ${metric}: ${res.status} ${JSON.stringify(res.body)}`);
  return [...new Set(res.body.data.flatMap((s) => s.exemplars.map((e) => e.labels.trace_id)).filter(Boolean))];
}

describe('dashboards against the running system', () => {
  it('a load-generator run with every failure flag gives every panel query of every dashboard at least one series', async () => {
    expect(Object.keys(FLAGS).sort()).toEqual([...FLAG_KEYS].sort());
    const summary = await runLoad({
      natsUrl: system.nats.url,
      natsAuth: system.nats.users?.loadgen,
      ordersUrl: system.app('orders').url,
      resetFlags: true,
      flags: FLAGS,
      rate: 10,
      durationSec: 20,
      orchestration: 0.5,
      mix: { happy: 4, decline: 1, 'out-of-stock': 1, 'shipping-failure': 1 },
      progressEverySec: 60,
    });
    expect(summary.placed).toBeGreaterThanOrEqual(150);

    const queries = panelQueries();
    expect(queries.length).toBeGreaterThan(30);
    // Together the queries get a minute: rates need two scrapes, stalls their SLA. Then every
    // query is asked at least once more, and each one with no series is reported.
    const empty: string[] = [];
    const deadline = Date.now() + 60_000;
    for (const query of queries) {
      const where = `${query.dashboard} / ${query.panel} / ${query.refId}: ${query.expr}`;
      try {
        await waitFor(async () => (await seriesOf(query)).length > 0 || undefined, {
          timeoutMs: Math.max(2000, deadline - Date.now()),
          intervalMs: 1000,
          what: where,
        });
      } catch (error) {
        if (!(error instanceof WaitTimeoutError)) throw error;
        empty.push(error.message);
      }
    }
    expect(empty).toEqual([]);
  }, 300_000);

  it.each([
    ['flowscope_flow_duration_seconds_bucket', 'a flow that ended'],
    ['flowscope_flows_stalled_total', 'a flow that stalled'],
  ])(
    'an exemplar of %s (%s) is a trace that Jaeger returns',
    async (metric) => {
      const traceIds = await waitFor(
        async () => {
          const ids = await exemplarTraceIds(metric);
          return ids.length > 0 ? ids : undefined;
        },
        { timeoutMs: 30_000, what: `exemplars of ${metric}` },
      );
      for (const traceId of traceIds) expect(traceId).toMatch(/^[\da-f]{32}$/);
      const trace = await waitFor(async () => getTrace(system.jaeger!.queryUrl, traceIds[0]), {
        timeoutMs: 30_000,
        what: `trace ${traceIds[0]} in Jaeger`,
      });
      expect(trace.spans.length).toBeGreaterThan(0);
    },
    90_000,
  );
});
